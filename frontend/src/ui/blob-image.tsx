import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { blobUrl } from '../sync/blobs';
import { useOnline } from './hooks';

/** An image by SHA-256: the device's copy when it has one, else `/blobs/<sha>` (retried when back online). */
export function BlobImage({ sha, alt }: { sha: string; alt: string }) {
  const online = useOnline();
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    blobUrl(sha).then(
      (u) => live && (setSrc(u), setFailed(false)),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [sha, online]);
  if (src) return <img src={src} alt={alt} data-sha={sha} loading="lazy" />;
  return (
    <span class="ph-missing" role="img" aria-label={alt}>
      {failed ? t('wo.photoUnavailable') : t('common.loading')}
    </span>
  );
}
