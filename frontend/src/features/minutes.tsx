/**
 * Survey minutes (keşif tutanağı): the frozen content, its verification code and hash, the three
 * signature slots (each signed by its signer: passkey on their own phone, a QR hand-off to it, or
 * their PIN on a shared phone — see sign-sheet.tsx), withdrawal, the sealed state and the PDF.
 */
import { useEffect, useState } from 'preact/hooks';
import { authFetch, NetworkError, SessionExpiredError } from '../api/client';
import { enumLabel, formatDate, formatDateTime, t } from '../i18n';
import { sha256, toHex, type MinutesContent } from '../lib/minutes';
import { can } from '../lib/permissions';
import { href } from '../lib/router';
import { refusalText, SIGNER_ROLES, signerOf } from '../lib/survey';
import type { OutboxItem } from '../outbox/commands';
import { dispatch } from '../outbox/dispatch';
import { useStore } from '../store/hooks';
import type { MinutesRecord, SignatureRecord, SignatureRefusalRecord, SignerRole, UserRecord } from '../store/store';
import { lastRefusal, rejectedSignItem, sealPending, signaturesOf } from '../store/surveys';
import { useOutbox } from '../sync/hooks';
import { BlobImage } from '../ui/blob-image';
import { BackLink, Feedback, Field } from '../ui/components';
import { SignSheet } from './sign-sheet';
import { MinutesStatusBadge, ReasonSheet } from './surveys';

const PARTY_KEY: Record<SignerRole, keyof MinutesContent['parties']> = { TECHNICIAN: 'technician', SECURITY: 'security', UNIT_HEAD: 'unitHead' };

export function parseContent(m: MinutesRecord): MinutesContent | null {
  try {
    return JSON.parse(m.content) as MinutesContent;
  } catch {
    return null;
  }
}

/** Why a slot's last signature was refused: this phone's refused command (with the server's
 * message), else a refusal synced from the server (made on another phone). */
interface Refused {
  message: string;
  at: string | null;
  by: string | null;
}

function refusedSlot(local: OutboxItem | null, synced: SignatureRefusalRecord | undefined, users: Record<string, UserRecord>): Refused | null {
  if (local) return { message: local.error?.message ?? t('sync.rejectedNoReason'), at: local.updatedAt, by: null };
  if (synced) return { message: refusalText(synced.code), at: synced.at, by: users[synced.capturedById]?.fullName ?? null };
  return null;
}

export function MinutesPage({ id }: { id: string }) {
  const m = useStore((s) => s.minutes[id]);
  const survey = useStore((s) => (m ? s.surveys[m.surveyId] : undefined));
  const sigs = useStore((s) => signaturesOf(s, id));
  const synced = useStore(
    (s) => Object.fromEntries(SIGNER_ROLES.map((r) => [r, lastRefusal(s, id, r)])) as Partial<Record<SignerRole, SignatureRefusalRecord>>,
  );
  const users = useStore((s) => s.users);
  const related = useStore((s) => ({
    supersedes: m?.supersedesId ? s.minutes[m.supersedesId] : undefined,
    supersededBy: Object.values(s.minutes).find((x) => x.supersedesId === id),
  }));
  const viewer = useStore((s) => s.viewer);
  const items = useOutbox();
  const [signing, setSigning] = useState<SignerRole | null>(null);
  const [withdrawing, setWithdrawing] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [hashOk, setHashOk] = useState<boolean | null>(null);

  // Check on this device that the content shown is the content the hash (and signatures) cover.
  const content = m?.content;
  const contentHash = m?.contentHash;
  useEffect(() => {
    if (content === undefined) return;
    let live = true;
    sha256(content).then(
      (h) => live && setHashOk(toHex(h) === contentHash),
      () => live && setHashOk(null),
    );
    return () => {
      live = false;
    };
  }, [content, contentHash]);

  if (!m) {
    return (
      <main class="screen">
        <BackLink to="/" />
        <p class="empty">{t('survey.notHere')}</p>
      </main>
    );
  }
  const c = parseContent(m);
  const me = viewer?.user.id;
  const waiting = m.status === 'AWAITING_SIGNATURES';
  const allHere = sealPending(m, sigs);
  const refused = Object.fromEntries(
    SIGNER_ROLES.map((role) => [role, sigs[role] ? null : refusedSlot(rejectedSignItem(items, m.id, role), synced[role], users)]),
  ) as Record<SignerRole, Refused | null>;
  const refusedRoles = SIGNER_ROLES.filter((r) => refused[r]);
  const mayWithdraw = waiting && !!survey && !!me && (me === survey.technicianId || me === survey.securityId) && can(viewer, 'surveys.work');

  return (
    <main class="screen">
      <BackLink to={survey ? `/survey/${survey.id}` : '/'} label={t('survey.kicker')} />
      <p class="wo-number">{c?.workOrderNumber ?? ''}</p>
      <h1>
        {t('minutes.title')} · {t('minutes.revision', { n: m.revision })}
      </h1>
      <div class="badges">
        <MinutesStatusBadge m={m} />
        {m.pending && <span class="pending-tag">{t('wo.pending')}</span>}
      </div>
      <Feedback msg={msg} />

      {m.status === 'SEALED' ? (
        <SealedBox m={m} />
      ) : m.status === 'WITHDRAWN' ? (
        <p class="callout" role="status">
          {t('minutes.withdrawnReason', { reason: m.withdrawnReason ?? t('common.none') })}
        </p>
      ) : allHere ? (
        <p class="notice seal-pending" role="status">
          {t('minutes.sealPending')}
        </p>
      ) : (
        <p class="notice" role="status">
          {t('minutes.awaiting')}
        </p>
      )}

      {waiting && refusedRoles.length > 0 && (
        <p class="error" role="alert">
          {t('minutes.refusedSummary', { roles: refusedRoles.map((r) => t(`minutes.role.${r}`)).join(', ') })}
        </p>
      )}

      <section class="code-box" aria-label={t('minutes.verification')}>
        <p class="muted small">{t('minutes.verificationCode')}</p>
        <p class="vcode" data-code={m.verificationCode}>
          {m.verificationCode}
        </p>
        <p class="muted small">{t('minutes.hash')}</p>
        <p>
          <code class="hash">{m.contentHash}</code>
        </p>
        {hashOk === true && <p class="success small">{t('minutes.hashOk')}</p>}
        {hashOk === false && (
          <p class="error" role="alert">
            {t('minutes.hashMismatch')}
          </p>
        )}
        {related.supersedes && (
          <p>
            <a href={href(`/minutes/${related.supersedes.id}`)}>{t('minutes.supersedes', { code: related.supersedes.verificationCode })}</a>
          </p>
        )}
        {related.supersededBy && (
          <p>
            <a href={href(`/minutes/${related.supersededBy.id}`)}>{t('minutes.supersededBy', { code: related.supersededBy.verificationCode })}</a>
          </p>
        )}
      </section>

      {c ? <ContentView c={c} /> : <p class="error">{t('minutes.unreadable')}</p>}

      <section>
        <h2>{t('minutes.signatures')}</h2>
        <ul class="cards sig-slots" aria-label={t('minutes.signatures')}>
          {SIGNER_ROLES.map((role) => {
            const sig = sigs[role];
            const rejected = refused[role];
            const signerId = survey ? signerOf(survey, role) : (c?.parties[PARTY_KEY[role]].id ?? '');
            const signerName = c?.parties[PARTY_KEY[role]].name || users[signerId]?.fullName || t('common.none');
            return (
              <li
                key={role}
                class={`card sig-slot${rejected ? ' sig-rejected' : ''}`}
                data-role={role}
                data-state={sig ? (sig.pending ? 'pending' : 'signed') : rejected ? 'rejected' : 'open'}
              >
                <p class="card-title">{t(`minutes.role.${role}`)}</p>
                <p>{signerName}</p>
                {sig ? (
                  <SignatureDone sig={sig} />
                ) : (
                  <>
                    {rejected && (
                      <div class="error" role="alert">
                        <strong>{t('minutes.signRejected')}</strong> {rejected.message}
                        {(rejected.at || rejected.by) && (
                          <p class="small">
                            {[rejected.at && formatDateTime(rejected.at), rejected.by && t('minutes.refusedFrom', { who: rejected.by })]
                              .filter(Boolean)
                              .join(' · ')}
                          </p>
                        )}
                      </div>
                    )}
                    <p class="muted small">{t('minutes.slotOpen')}</p>
                    {waiting && can(viewer, 'minutes.sign') && (
                      <button
                        type="button"
                        class="btn-primary wide"
                        aria-label={`${rejected ? t('minutes.signAgain') : t('minutes.sign')}: ${t(`minutes.role.${role}`)}`}
                        onClick={() => (setMsg(null), setSigning(role))}
                      >
                        {rejected ? t('minutes.signAgain') : t('minutes.sign')}
                      </button>
                    )}
                  </>
                )}
              </li>
            );
          })}
        </ul>
      </section>

      {mayWithdraw && (
        <button type="button" class="btn-secondary wide" onClick={() => (setMsg(null), setWithdrawing(true))}>
          {t('minutes.withdraw')}
        </button>
      )}

      {signing && survey && (
        <SignSheet
          m={m}
          survey={survey}
          role={signing}
          onClose={() => setSigning(null)}
          onDone={(outcome) => {
            setSigning(null);
            setMsg({ ok: true, text: outcome === 'verified' ? t('minutes.signVerified') : t('minutes.signQueued') });
          }}
        />
      )}
      {withdrawing && (
        <ReasonSheet
          title={t('minutes.withdraw')}
          label={t('minutes.withdrawReason')}
          hint={t('minutes.withdrawHint')}
          confirm={t('minutes.withdrawConfirm')}
          onClose={() => setWithdrawing(false)}
          onConfirm={(reason) => dispatch('minutes.withdraw', { minutesId: m.id, reason })}
          onDone={() => {
            setWithdrawing(false);
            setMsg({ ok: true, text: t('wo.queued') });
          }}
        />
      )}
    </main>
  );
}

function SignatureDone({ sig }: { sig: SignatureRecord }) {
  return (
    <div class="sig-done">
      <div class="sig-image">
        <BlobImage sha={sig.imageSha256} alt={t('minutes.signatureAlt')} />
      </div>
      {sig.pending ? <p class="pending-tag">{t('minutes.signPending')}</p> : <p class="success small">{t('minutes.signed')}</p>}
      <p class="muted small">{t('minutes.signedAt', { time: formatDateTime(sig.signedAt) })}</p>
      {sig.method && <p class="muted small sig-method">{t(`minutes.method.${sig.method}`)}</p>}
      {sig.recordedAt && <p class="muted small">{t('minutes.recordedAt', { time: formatDateTime(sig.recordedAt) })}</p>}
    </div>
  );
}

function SealedBox({ m }: { m: MinutesRecord }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function download() {
    setBusy(true);
    setError(null);
    try {
      const res = await authFetch(`/api/minutes/${m.id}.pdf`);
      if (!res.ok) {
        let text = t('minutes.pdfFailed', { status: res.status });
        try {
          const body = (await res.json()) as { message?: string };
          if (body.message) text = body.message;
        } catch {
          /* not JSON */
        }
        setError(text);
        return;
      }
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `kesif-tutanagi-${m.verificationCode}.pdf`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      setError(e instanceof NetworkError ? t('minutes.pdfOffline') : e instanceof SessionExpiredError ? t('error.sessionExpired') : t('error.unexpected'));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div class="sealed" role="status">
      <p class="sealed-title">{t('minutes.sealed')}</p>
      <p>{t('minutes.sealedAt', { time: formatDateTime(m.sealedAt) })}</p>
      <button type="button" class="btn-primary wide" disabled={busy} onClick={() => void download()}>
        {busy ? t('common.loading') : t('minutes.pdf')}
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function ContentView({ c }: { c: MinutesContent }) {
  const none = t('common.none');
  return (
    <>
      <section>
        <h2>{t('minutes.content')}</h2>
        <dl class="fields">
          <Field label={t('wo.number')}>{c.workOrderNumber}</Field>
          <Field label={t('wo.site')}>{`${c.site.code} · ${c.site.name}`}</Field>
          <Field label={t('site.district')}>{c.site.district || none}</Field>
          <Field label={t('site.address')}>{c.site.address || none}</Field>
          <Field label={t('survey.requestingUnit')}>{c.request.requestingUnit}</Field>
          <Field label={t('survey.reason')}>
            <span class="prewrap">{c.request.reason}</span>
          </Field>
          <Field label={t('survey.surveyDate')}>{formatDate(c.surveyDate)}</Field>
          <Field label={t('survey.recordingLocation')}>{enumLabel('rec', c.recording.location)}</Field>
          <Field label={t('survey.recordingNote')}>
            <span class="prewrap">{c.recording.note || none}</span>
          </Field>
          <Field label={t('survey.infrastructureNeeds')}>
            <span class="prewrap">{c.infrastructureNeeds || none}</span>
          </Field>
          <Field label={t('survey.cablingNeeds')}>
            <span class="prewrap">{c.cablingNeeds || none}</span>
          </Field>
          <Field label={t('survey.signsNeeded')}>{c.signs.count === null ? none : String(c.signs.count)}</Field>
          <Field label={t('survey.signsNote')}>
            <span class="prewrap">{c.signs.note || none}</span>
          </Field>
          <Field label={t('survey.conclusion')}>
            <strong>{enumLabel('conclusion', c.conclusion)}</strong>
          </Field>
          <Field label={t('survey.conclusionNote')}>
            <span class="prewrap">{c.conclusionNote || none}</span>
          </Field>
        </dl>
      </section>
      <section>
        <h2>{t('survey.points')}</h2>
        {c.points.length ? (
          <ol class="cards points" aria-label={t('minutes.points')}>
            {c.points.map((p) => (
              <li key={p.id} class="card point-card">
                <div class="point-body">
                  <p class="card-title">
                    {p.no}. {p.place}
                  </p>
                  <p class="card-meta">
                    <span>{enumLabel('area', p.areaType)}</span>
                    <span>{enumLabel('mounting', p.mounting)}</span>
                  </p>
                  {p.viewDirection && <p class="small">{t('survey.viewDirectionShort', { v: p.viewDirection })}</p>}
                  <p class="muted small">
                    {p.latE6 !== null && p.lonE6 !== null
                      ? t('minutes.gps', { lat: (p.latE6 / 1e6).toFixed(6), lon: (p.lonE6 / 1e6).toFixed(6) })
                      : t('survey.noGps')}
                  </p>
                  {p.photos.length > 0 && (
                    <ul class="photos" aria-label={t('survey.pointPhotos', { n: p.no })}>
                      {p.photos.map((sha) => (
                        <li key={sha}>
                          <BlobImage sha={sha} alt={t('survey.pointPhotoAlt', { place: p.place })} />
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              </li>
            ))}
          </ol>
        ) : (
          <p class="muted">{t('survey.noPoints')}</p>
        )}
      </section>
    </>
  );
}
