/**
 * Hesap → "İmza": how this person proves a signature is theirs (docs/surveys.md, "Signatures").
 * - Passkeys on their own phone (primary): made here, used offline to sign on this phone.
 * - The signing PIN, for a shared phone: sealed to the server's key, checked only by the server.
 * Both need the password again and a connection; removing a passkey works offline.
 */
import { useEffect, useState } from 'preact/hooks';
import { GraphQLRequestError, NetworkError } from '../api/client';
import { loadSigningSetup, localPasskeyIds, registerPasskey, setSigningPin, type SetupResult } from '../api/signing';
import { formatDateTime, t } from '../i18n';
import { PasskeyError, passkeysSupported, PIN_LENGTH, pinProblem } from '../lib/signing';
import { dispatch } from '../outbox/dispatch';
import { useStore } from '../store/hooks';
import type { PasskeyRecord } from '../store/store';
import { Feedback, Sheet, SheetActions } from '../ui/components';
import { useOnline } from '../ui/hooks';

type Msg = { ok: boolean; text: string } | null;

/** A failure of an online set-up step, in words. */
export function setupError(e: unknown): string {
  if (e instanceof PasskeyError) return t(`passkey.error.${e.reason}`);
  if (e instanceof NetworkError) return t('signing.needsOnline');
  if (e instanceof GraphQLRequestError) return e.message;
  return t('error.unexpected');
}

const resultMsg = (r: SetupResult, ok: string): Msg => (r.ok ? { ok: true, text: ok } : { ok: false, text: r.error.message });

export function SigningMethods() {
  const me = useStore((s) => s.viewer?.user.id ?? '');
  const pinSetAt = useStore((s) => s.users[me]?.signingPinSetAt ?? null);
  const passkeys = useStore((s) => Object.values(s.passkeys).filter((p) => p.userId === me && !p.revokedAt));
  const online = useOnline();

  // The list and the server's key as they are now (also brings a passkey made on another phone).
  useEffect(() => {
    if (online) loadSigningSetup().catch(() => undefined);
  }, [online]);

  return (
    <section aria-labelledby="signing-title" class="signing-setup">
      <h2 id="signing-title">{t('signing.title')}</h2>
      <p class="muted small">{t('signing.explain')}</p>
      {!online && <p class="notice">{t('signing.offline')}</p>}
      <Passkeys me={me} passkeys={passkeys} online={online} />
      <SigningPin pinSetAt={pinSetAt} online={online} />
    </section>
  );
}

function Passkeys({ me, passkeys, online }: { me: string; passkeys: PasskeyRecord[]; online: boolean }) {
  const [asking, setAsking] = useState(false);
  const [removing, setRemoving] = useState<PasskeyRecord | null>(null);
  const [msg, setMsg] = useState<Msg>(null);
  const here = new Set(localPasskeyIds(me));
  const supported = passkeysSupported();
  const hasHere = passkeys.some((p) => here.has(p.credentialId));
  return (
    <div class="stack" role="region" aria-labelledby="passkeys-title">
      <h3 id="passkeys-title">{t('passkey.title')}</h3>
      <p class="muted small">{t('passkey.explain')}</p>
      {passkeys.length ? (
        <ul class="cards passkeys" aria-label={t('passkey.list')}>
          {passkeys.map((p) => (
            <li key={p.id} class="card" data-here={here.has(p.credentialId) ? 'yes' : 'no'}>
              <p class="card-title">
                {p.label || t('passkey.title')} {here.has(p.credentialId) && <span class="chip">{t('passkey.here')}</span>}
              </p>
              <p class="muted small">
                {t('passkey.created', { time: formatDateTime(p.createdAt) })}
                {p.lastUsedAt ? ` · ${t('passkey.lastUsed', { time: formatDateTime(p.lastUsedAt) })}` : ''}
              </p>
              <button type="button" class="btn-secondary" onClick={() => (setMsg(null), setRemoving(p))}>
                {t('passkey.remove')}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t('passkey.none')}</p>
      )}
      <Feedback msg={msg} />
      {!supported ? (
        <p class="notice">{t('passkey.unsupported')}</p>
      ) : (
        <button type="button" class={hasHere ? 'btn-secondary' : 'btn-primary'} disabled={!online} onClick={() => (setMsg(null), setAsking(true))}>
          {hasHere ? t('passkey.addAnother') : t('passkey.add')}
        </button>
      )}
      {asking && (
        <PasswordSheet
          title={t('passkey.add')}
          hint={t('passkey.passwordHint')}
          confirm={t('passkey.create')}
          onClose={() => setAsking(false)}
          run={async (password) => {
            const r = await registerPasskey(password);
            if (r.ok) {
              setAsking(false);
              setMsg({ ok: true, text: t('passkey.added') });
            }
            return r;
          }}
        />
      )}
      {removing && (
        <Sheet title={t('passkey.removeTitle')} onClose={() => setRemoving(null)}>
          <p>{t('passkey.removeExplain', { label: removing.label })}</p>
          <SheetActions
            onCancel={() => setRemoving(null)}
            confirm={t('passkey.remove')}
            danger
            onConfirm={async () => {
              const r = await dispatch('passkey.revoke', { passkeyId: removing.id });
              setRemoving(null);
              setMsg(r.ok ? { ok: true, text: t('passkey.removed') } : { ok: false, text: r.error.message });
            }}
          />
        </Sheet>
      )}
    </div>
  );
}

function SigningPin({ pinSetAt, online }: { pinSetAt: string | null; online: boolean }) {
  const [pin, setPin] = useState('');
  const [again, setAgain] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<Msg>(null);
  const digits = (set: (v: string) => void) => (e: Event) => set((e.currentTarget as HTMLInputElement).value.replace(/\D/g, '').slice(0, PIN_LENGTH));

  async function save(e: Event) {
    e.preventDefault();
    const problem = pinProblem(pin);
    if (problem === 'format') return setMsg({ ok: false, text: t('pin.invalid') });
    if (problem === 'weak') return setMsg({ ok: false, text: t('pin.weak') });
    if (pin !== again) return setMsg({ ok: false, text: t('pin.mismatch') });
    if (!password) return setMsg({ ok: false, text: t('signing.passwordRequired') });
    setBusy(true);
    setMsg(null);
    try {
      const r = await setSigningPin(password, pin);
      setMsg(resultMsg(r, t('pin.saved')));
      if (r.ok) {
        setPin('');
        setAgain('');
      }
      setPassword('');
    } catch (err) {
      setMsg({ ok: false, text: setupError(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="stack" role="region" aria-labelledby="pin-title">
      <h3 id="pin-title">{t('pin.title')}</h3>
      <p class="muted small">{pinSetAt ? t('pin.isSetAt', { time: formatDateTime(pinSetAt) }) : t('pin.notSet')}</p>
      <p class="muted small">{t('pin.explain')}</p>
      <form class="stack" onSubmit={save}>
        <label class="lbl">
          {pinSetAt ? t('pin.new') : t('pin.pin')}
          <input type="password" inputMode="numeric" pattern="[0-9]*" autocomplete="off" maxLength={PIN_LENGTH} value={pin} onInput={digits(setPin)} />
        </label>
        <label class="lbl">
          {t('pin.again')}
          <input type="password" inputMode="numeric" pattern="[0-9]*" autocomplete="off" maxLength={PIN_LENGTH} value={again} onInput={digits(setAgain)} />
        </label>
        <label class="lbl">
          {t('signing.password')}
          <input type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <Feedback msg={msg} />
        <button type="submit" class="btn-primary" disabled={busy || !online || pin.length !== PIN_LENGTH || again.length !== PIN_LENGTH || !password}>
          {busy ? t('wo.sending') : pinSetAt ? t('pin.change') : t('pin.set')}
        </button>
      </form>
    </div>
  );
}

/** Asks for the password again, then runs an online set-up step with it. */
export function PasswordSheet(props: { title: string; hint: string; confirm: string; onClose: () => void; run: (password: string) => Promise<SetupResult> }) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    if (!password) return;
    setBusy(true);
    setError(null);
    try {
      const r = await props.run(password);
      if (!r.ok) setError(r.error.message);
    } catch (err) {
      setError(setupError(err));
    } finally {
      setBusy(false);
      setPassword('');
    }
  }
  return (
    <Sheet title={props.title} onClose={props.onClose}>
      <form class="stack" onSubmit={submit}>
        <p class="muted small">{props.hint}</p>
        <label class="lbl">
          {t('signing.password')}
          <input type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <SheetActions onCancel={props.onClose} confirm={props.confirm} busy={busy} disabled={!password} />
      </form>
    </Sheet>
  );
}
