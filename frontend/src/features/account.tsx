import { useState } from 'preact/hooks';
import { signOut } from '../api/auth';
import { enumLabel, getLang, t } from '../i18n';
import { setSignedIn } from '../lib/auth-state';
import { isValidPin, PIN_LENGTH, pinVerifier } from '../lib/minutes';
import { can } from '../lib/permissions';
import { navigate } from '../lib/router';
import { dispatch } from '../outbox/dispatch';
import { useStore } from '../store/hooks';
import { Feedback, Field } from '../ui/components';
import { useOnline } from '../ui/hooks';

declare const __APP_VERSION__: string;

export function Account() {
  const viewer = useStore((s) => s.viewer);
  const online = useOnline();
  async function onSignOut() {
    await signOut();
    setSignedIn(false);
    navigate('/signin', true);
  }
  return (
    <main class="screen">
      <h1>{t('account.title')}</h1>
      {viewer && (
        <dl class="fields">
          <Field label={t('account.user')}>
            {viewer.user.fullName} ({viewer.user.username})
          </Field>
          <Field label={t('account.role')}>{enumLabel('role', viewer.user.role)}</Field>
          <Field label={t('account.region')}>{viewer.user.region?.name ?? t('common.none')}</Field>
        </dl>
      )}
      {can(viewer, 'account.pin') && <SigningPin />}
      <div class="stack">
        <p class="muted">
          {t('account.language')}: {getLang() === 'tr' ? 'Türkçe' : 'English'}
        </p>
        {!online && <p class="notice">{t('account.offlineSignOut')}</p>}
        <button type="button" class="btn-danger" onClick={onSignOut}>
          {t('account.signOut')}
        </button>
        <p class="muted small">{t('account.version', { v: __APP_VERSION__ })}</p>
      </div>
    </main>
  );
}

/**
 * "İmza PIN'i": six digits, typed twice. The phone derives the verifier (salt, iterations,
 * storedKey) and sends only that; the PIN is kept nowhere.
 */
function SigningPin() {
  const hasPin = useStore((s) => {
    const id = s.viewer?.user.id;
    return !!(id && s.users[id]?.signingSalt);
  });
  const [pin, setPin] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const digits = (set: (v: string) => void) => (e: Event) => set((e.currentTarget as HTMLInputElement).value.replace(/\D/g, '').slice(0, PIN_LENGTH));

  async function save(e: Event) {
    e.preventDefault();
    if (!isValidPin(pin)) return setMsg({ ok: false, text: t('pin.invalid') });
    if (pin !== again) return setMsg({ ok: false, text: t('pin.mismatch') });
    setBusy(true);
    setMsg(null);
    try {
      const verifier = await pinVerifier(pin);
      const r = await dispatch('account.setSigningPin', verifier);
      setMsg(r.ok ? { ok: true, text: t('pin.saved') } : { ok: false, text: r.error.message });
      if (r.ok) {
        setPin('');
        setAgain('');
      }
    } catch {
      setMsg({ ok: false, text: t('error.unexpected') });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="pin-title">
      <h2 id="pin-title">{t('pin.title')}</h2>
      <p class="muted small">{hasPin ? t('pin.isSet') : t('pin.notSet')}</p>
      <p class="muted small">{t('pin.explain')}</p>
      <form class="stack" onSubmit={save}>
        <label class="lbl">
          {hasPin ? t('pin.new') : t('pin.pin')}
          <input type="password" inputMode="numeric" pattern="[0-9]*" autocomplete="new-password" maxLength={PIN_LENGTH} value={pin} onInput={digits(setPin)} />
        </label>
        <label class="lbl">
          {t('pin.again')}
          <input type="password" inputMode="numeric" pattern="[0-9]*" autocomplete="new-password" maxLength={PIN_LENGTH} value={again} onInput={digits(setAgain)} />
        </label>
        <Feedback msg={msg} />
        <button type="submit" class="btn-primary" disabled={busy || !isValidPin(pin) || again.length !== PIN_LENGTH}>
          {busy ? t('wo.sending') : hasPin ? t('pin.change') : t('pin.set')}
        </button>
      </form>
    </section>
  );
}
