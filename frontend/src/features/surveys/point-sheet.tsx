/** A camera point of a survey: place, area type (with its rule), mounting, photos and GPS. */
import { useState } from 'preact/hooks';
import { enumLabel, t } from '../../i18n';
import { AREA_TYPES, MOUNTINGS, areaRule, toE6 } from '../../lib/survey';
import { newId, type CommandArgs, type PointFields } from '../../outbox/commands';
import { dispatch, type DispatchResult } from '../../outbox/dispatch';
import type { SurveyPointRecord } from '../../store/store';
import type { SurveyView } from '../../store/surveys';
import { savePhoto } from '../../sync/photos';
import { BlobImage } from '../../ui/blob-image';
import { Sheet, SheetActions } from '../../ui/components';

interface Gps {
  latE6: number;
  lonE6: number;
  accuracyM: number;
}

export function PointSheet({
  sv,
  point,
  onClose,
  onDone,
}: {
  sv: SurveyView;
  point: SurveyPointRecord | null;
  onClose: () => void;
  onDone: (r: DispatchResult) => void;
}) {
  const [place, setPlace] = useState(point?.place ?? '');
  const [areaType, setAreaType] = useState(point?.areaType ?? '');
  const [mounting, setMounting] = useState(point?.mounting ?? '');
  const [viewDirection, setViewDirection] = useState(point?.viewDirection ?? '');
  const [photos, setPhotos] = useState<string[]>(point?.photos ?? []);
  const [gps, setGps] = useState<Gps | null>(
    point && point.latE6 !== null && point.lonE6 !== null ? { latE6: point.latE6, lonE6: point.lonE6, accuracyM: point.accuracyM ?? 0 } : null,
  );
  const [gpsState, setGpsState] = useState<'idle' | 'busy' | 'failed'>('idle');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const rule = areaRule(areaType);
  const forbidden = rule?.kind === 'forbidden';
  const ready = place.trim().length >= 2 && !!areaType && !!mounting && !forbidden;

  function locate() {
    if (!('geolocation' in navigator)) return setGpsState('failed');
    setGpsState('busy');
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setGps({ latE6: toE6(pos.coords.latitude), lonE6: toE6(pos.coords.longitude), accuracyM: Math.round(pos.coords.accuracy) });
        setGpsState('idle');
      },
      () => setGpsState('failed'),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  }

  async function addPhotos(files: FileList | null) {
    if (!files?.length) return;
    setBusy(true);
    try {
      const rows: { sha256: string }[] = [];
      for (const f of Array.from(files)) rows.push(await savePhoto(f));
      setPhotos((p) => [...p, ...rows.map((r) => r.sha256).filter((sha) => !p.includes(sha))].slice(0, 10));
    } catch {
      setError(t('error.storage'));
    } finally {
      setBusy(false);
    }
  }

  async function save(e: Event) {
    e.preventDefault();
    if (forbidden) return setError(rule.message);
    if (!ready) return setError(t('survey.pointIncomplete'));
    setBusy(true);
    setError(null);
    const fields: PointFields = {
      position: point?.position ?? Math.max(0, ...sv.points.map((p) => p.position)) + 1,
      place: place.trim(),
      areaType: areaType as PointFields['areaType'],
      mounting: mounting as PointFields['mounting'],
      viewDirection: viewDirection.trim(),
      photos,
      latE6: gps?.latE6 ?? null,
      lonE6: gps?.lonE6 ?? null,
      accuracyM: gps?.accuracyM ?? null,
    };
    let r: DispatchResult;
    if (!point) {
      r = await dispatch('survey.addPoint', { id: newId(), surveyId: sv.id, ...fields }, { blobRefs: photos });
    } else {
      const changes: CommandArgs['survey.updatePoint'] = { pointId: point.id };
      if (fields.place !== point.place) changes.place = fields.place;
      if (areaType !== point.areaType) changes.areaType = fields.areaType;
      if (mounting !== point.mounting) changes.mounting = fields.mounting;
      if (fields.viewDirection !== point.viewDirection) changes.viewDirection = fields.viewDirection;
      if (photos.join() !== point.photos.join()) changes.photos = photos;
      if (gps && (gps.latE6 !== point.latE6 || gps.lonE6 !== point.lonE6))
        Object.assign(changes, { latE6: gps.latE6, lonE6: gps.lonE6, accuracyM: gps.accuracyM });
      if (Object.keys(changes).length === 1) {
        setBusy(false);
        return setError(t('form.noChanges'));
      }
      r = await dispatch('survey.updatePoint', changes, { blobRefs: photos });
    }
    setBusy(false);
    if (!r.ok) setError(r.error.message);
    else onDone(r);
  }

  return (
    <Sheet title={point ? t('survey.editPoint') : t('survey.addPoint')} onClose={onClose}>
      <form class="stack" onSubmit={save}>
        <label class="lbl">
          {t('survey.place')}
          <input type="text" value={place} required minLength={2} maxLength={300} onInput={(e) => setPlace(e.currentTarget.value)} />
        </label>
        <label class="lbl">
          {t('survey.areaType')}
          <select value={areaType} onChange={(e) => setAreaType(e.currentTarget.value)} aria-describedby="area-rule" aria-invalid={forbidden}>
            <option value="">{t('survey.choose')}</option>
            {AREA_TYPES.map((a) => (
              <option key={a} value={a}>
                {enumLabel('area', a)}
              </option>
            ))}
          </select>
        </label>
        <div id="area-rule" aria-live="polite">
          {rule && (
            <p class={rule.kind === 'forbidden' ? 'error rule' : 'notice rule'} role={rule.kind === 'forbidden' ? 'alert' : 'status'}>
              {rule.message}
            </p>
          )}
        </div>
        <label class="lbl">
          {t('survey.mounting')}
          <select value={mounting} onChange={(e) => setMounting(e.currentTarget.value)}>
            <option value="">{t('survey.choose')}</option>
            {MOUNTINGS.map((m) => (
              <option key={m} value={m}>
                {enumLabel('mounting', m)}
              </option>
            ))}
          </select>
        </label>
        <label class="lbl">
          {t('survey.viewDirection')}
          <input type="text" maxLength={300} value={viewDirection} onInput={(e) => setViewDirection(e.currentTarget.value)} />
        </label>
        <div>
          <p class="lbl-text">{t('wo.photos')}</p>
          {photos.length > 0 && (
            <ul class="photos" aria-label={t('survey.pointPhotosNew')}>
              {photos.map((sha) => (
                <li key={sha} class="photo-rm">
                  <BlobImage sha={sha} alt={t('survey.pointPhotoAlt', { place: place || '…' })} />
                  <button type="button" class="btn-small" aria-label={t('survey.removePhoto')} onClick={() => setPhotos((p) => p.filter((x) => x !== sha))}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
          <label class="file-btn">
            {t('wo.addPhoto')}
            <input
              type="file"
              accept="image/*"
              capture="environment"
              multiple
              disabled={busy || photos.length >= 10}
              onChange={(e) => {
                const input = e.currentTarget;
                void addPhotos(input.files).finally(() => (input.value = ''));
              }}
            />
          </label>
        </div>
        <div>
          <p class="lbl-text">{t('survey.gps')}</p>
          <p class="muted small" role="status">
            {gps
              ? t('survey.gpsValue', { lat: (gps.latE6 / 1e6).toFixed(6), lon: (gps.lonE6 / 1e6).toFixed(6), acc: gps.accuracyM })
              : gpsState === 'busy'
                ? t('survey.gpsBusy')
                : gpsState === 'failed'
                  ? t('survey.gpsFailed')
                  : t('survey.noGps')}
          </p>
          <button type="button" class="btn-secondary" disabled={gpsState === 'busy'} onClick={locate}>
            {t('survey.getGps')}
          </button>
        </div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <SheetActions onCancel={onClose} confirm={t('survey.savePoint')} busy={busy} disabled={!ready} />
      </form>
    </Sheet>
  );
}
