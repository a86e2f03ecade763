/**
 * A signing request handed over by QR code (`#/cosign/<minutesId>/<role>?h=<contentHash>`): the
 * co-signer opens it on their own phone, reviews the very content the technician's phone shows
 * (same hash), draws and signs with their passkey — offline too; the signature reaches the minutes
 * through this phone's sync, whichever phone comes online first.
 */
import { useEffect, useState } from 'preact/hooks';
import { usablePasskeys } from '../api/signing';
import { t } from '../i18n';
import { navigate, queryParam } from '../lib/router';
import { signerOf } from '../lib/survey';
import { useStore } from '../store/hooks';
import type { SignerRole } from '../store/store';
import { signaturesOf } from '../store/surveys';
import { syncNow } from '../sync/engine';
import { BackLink, Feedback } from '../ui/components';
import { useOnline } from '../ui/hooks';
import { ContentView, parseContent } from './minutes';
import { SignBody, type SignMethod } from './sign-sheet';

const ROLES: SignerRole[] = ['TECHNICIAN', 'SECURITY', 'UNIT_HEAD'];

export function CoSignPage({ minutesId, role }: { minutesId: string; role: string }) {
  const m = useStore((s) => s.minutes[minutesId]);
  const survey = useStore((s) => (m ? s.surveys[m.surveyId] : undefined));
  const me = useStore((s) => s.viewer?.user.id ?? '');
  const users = useStore((s) => s.users);
  const sigs = useStore((s) => signaturesOf(s, minutesId));
  const online = useOnline();
  const [syncing, setSyncing] = useState(false);
  const [method, setMethod] = useState<SignMethod | null>(null);
  const [done, setDone] = useState<{ ok: boolean; text: string } | null>(null);
  const hash = queryParam('h');
  const validRole = (ROLES as string[]).includes(role) ? (role as SignerRole) : null;

  // Not on this phone yet: bring it (the request came from a phone that synced it). syncNow
  // reports its own failures in the sync status.
  const here = !!m;
  useEffect(() => {
    if (here || !online) return;
    setSyncing(true);
    void syncNow().finally(() => setSyncing(false));
  }, [here, online]);

  const back = <BackLink to="/my" label={t('nav.myWork')} />;
  const stop = (text: string, alert = true) => (
    <main class="screen">
      {back}
      <h1>{t('cosign.title')}</h1>
      <p class={alert ? 'error' : 'notice'} role={alert ? 'alert' : 'status'}>
        {text}
      </p>
    </main>
  );

  if (!validRole) return stop(t('cosign.bad'));
  if (!m || !survey) return syncing ? stop(t('cosign.syncing'), false) : stop(online ? t('cosign.notHere') : t('cosign.notHereOffline'));
  const c = parseContent(m);
  const signerId = signerOf(survey, validRole);
  if (hash !== m.contentHash) return stop(t('cosign.mismatch'));
  if (m.status === 'SEALED') return stop(t('cosign.sealed'), false);
  if (m.status === 'WITHDRAWN') return stop(t('cosign.withdrawn'));
  if (signerId !== me) return stop(t('cosign.notYou', { role: t(`minutes.role.${validRole}`), name: users[signerId]?.fullName ?? '' }));
  if (sigs[validRole] && !done) return stop(t('cosign.already'), false);
  const passkeys = usablePasskeys(me);

  return (
    <main class="screen cosign">
      {back}
      <p class="wo-number">{c?.workOrderNumber ?? ''}</p>
      <h1>{t('cosign.title')}</h1>
      <p>{t('cosign.intro', { role: t(`minutes.role.${validRole}`) })}</p>
      <section class="code-box" aria-label={t('minutes.verification')}>
        <p class="muted small">{t('minutes.verificationCode')}</p>
        <p class="vcode">{m.verificationCode}</p>
        <p class="success small">{t('cosign.sameContent')}</p>
      </section>
      {c ? <ContentView c={c} /> : <p class="error">{t('minutes.unreadable')}</p>}
      <section aria-labelledby="cosign-sign">
        <h2 id="cosign-sign">{t('minutes.sign')}</h2>
        <Feedback msg={done} />
        {done?.ok ? (
          <button type="button" class="btn-primary wide" onClick={() => navigate(`/minutes/${m.id}`)}>
            {t('cosign.open')}
          </button>
        ) : method === null ? (
          <div class="stack">
            {passkeys.length ? (
              <button type="button" class="btn-primary wide" onClick={() => setMethod('passkey')}>
                {t('sign.withPasskey')}
              </button>
            ) : (
              <p class="notice">{t('cosign.noPasskey')}</p>
            )}
            <button type="button" class={passkeys.length ? 'btn-secondary wide' : 'btn-primary wide'} onClick={() => setMethod('pin')}>
              {t('sign.withPin')}
            </button>
          </div>
        ) : (
          <SignBody
            m={m}
            role={validRole}
            signerId={signerId}
            method={method}
            onCancel={() => setMethod(null)}
            onDone={(o) => setDone({ ok: true, text: o === 'verified' ? t('minutes.signVerified') : t('minutes.signQueued') })}
          />
        )}
      </section>
    </main>
  );
}
