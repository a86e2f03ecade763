import { useState } from 'preact/hooks';
import { signOut } from '../api/auth';
import { enumLabel, getLang, t } from '../i18n';
import { setSignedIn } from '../lib/auth-state';
import { can } from '../lib/permissions';
import { navigate } from '../lib/router';
import { useStore } from '../store/hooks';
import { Field } from '../ui/components';
import { useOnline } from '../ui/hooks';
import { PHOTO_DEFAULTS, PHOTO_EDGE_CHOICES, photoSettings, setPhotoSettings } from '../sync/photos';
import { SigningMethods } from './signing-setup';

declare const __APP_VERSION__: string;

/** The photo size this phone resizes to before upload (smaller goes faster on a weak uplink). */
function PhotoSize() {
  const [edge, setEdge] = useState(photoSettings().maxEdge);
  const choices: number[] = PHOTO_EDGE_CHOICES.includes(edge as (typeof PHOTO_EDGE_CHOICES)[number]) ? [...PHOTO_EDGE_CHOICES] : [...PHOTO_EDGE_CHOICES, edge];
  return (
    <label class="lbl">
      {t('account.photoSize')}
      <select
        value={String(edge)}
        onChange={(e) => {
          const maxEdge = Number(e.currentTarget.value);
          setPhotoSettings({ ...photoSettings(), maxEdge });
          setEdge(photoSettings().maxEdge);
        }}
      >
        {choices.map((px) => (
          <option key={px} value={String(px)}>
            {px === PHOTO_DEFAULTS.maxEdge ? t('account.photoSizeDefault', { px }) : t('account.photoSizePx', { px })}
          </option>
        ))}
      </select>
      <span class="muted small">{t('account.photoSizeHint')}</span>
    </label>
  );
}

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
      {can(viewer, 'account.signing') && <SigningMethods />}
      <div class="stack">
        <PhotoSize />
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
