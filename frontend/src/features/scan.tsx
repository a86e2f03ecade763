/**
 * "Kod tara": scan a Saha QR code (a link to a screen of this app) with the camera and open it.
 * Anything else is shown as plain text, never followed, and the user can scan again.
 */
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { sahaRouteOf } from '../lib/scan';
import { currentPath, navigate } from '../lib/router';
import { BackLink } from '../ui/components';
import { QrScanner } from '../ui/qr-scanner';

export function ScanPage() {
  // A new key mounts a fresh scanner (and camera) for "scan again".
  const [attempt, setAttempt] = useState(0);
  const [foreign, setForeign] = useState<string | null>(null);

  function onResult(text: string) {
    const route = sahaRouteOf(text, location.origin);
    if (!route) return setForeign(text);
    if (route === currentPath()) return setAttempt((n) => n + 1); // a code for this very screen
    navigate(route);
  }

  function again() {
    setForeign(null);
    setAttempt((n) => n + 1);
  }

  return (
    <main class="screen scan">
      <BackLink to="/" />
      <h1>{t('scan.title')}</h1>
      {foreign === null ? (
        <>
          <p class="muted">{t('scan.intro')}</p>
          <QrScanner key={attempt} onResult={onResult} onCancel={() => navigate('/')} />
        </>
      ) : (
        <div class="stack">
          <p class="error" role="alert">
            {t('scan.notSaha')}
          </p>
          <p class="muted small">{t('scan.content')}</p>
          {/* Plain text only: a scanned code is never rendered as markup nor turned into a link. */}
          <pre class="scan-text">{foreign}</pre>
          <button type="button" class="btn-primary wide" onClick={again}>
            {t('scan.again')}
          </button>
        </div>
      )}
    </main>
  );
}
