import { useState } from 'preact/hooks';
import { signIn } from '../api/auth';
import { GraphQLRequestError, NetworkError } from '../api/client';
import { t } from '../i18n';
import { setSignedIn } from '../lib/auth-state';
import { href, navigate } from '../lib/router';
import { homePath } from '../lib/permissions';
import { getState } from '../store/store';
import { useOnline } from '../ui/hooks';

export function SignIn({ expired }: { expired?: boolean }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(expired ? t('error.sessionExpired') : null);
  const online = useOnline();

  async function onSubmit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const err = await signIn(username.trim(), password);
      if (err) {
        setError(err.message);
      } else {
        setSignedIn(true);
        navigate(homePath(getState().viewer), true);
      }
    } catch (ex) {
      if (ex instanceof NetworkError) setError(navigator.onLine ? t('error.network') : t('signin.offline'));
      else if (ex instanceof GraphQLRequestError) setError(ex.message);
      else setError(t('error.unexpected'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="screen signin">
      <h1>{t('signin.title')}</h1>
      <p class="muted">{t('app.tagline')}</p>
      {!online && <p class="notice">{t('signin.offline')}</p>}
      <form onSubmit={onSubmit} class="stack" noValidate>
        <label class="lbl">
          {t('signin.username')}
          <input
            name="username"
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </label>
        <label class="lbl">
          {t('signin.password')}
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn-primary" disabled={busy || !username || !password}>
          {busy ? t('signin.busy') : t('signin.submit')}
        </button>
      </form>
      <p class="signin-verify">
        <a class="back" href={href('/verify')}>
          {t('verify.link')}
        </a>
      </p>
    </main>
  );
}
