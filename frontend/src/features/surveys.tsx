/**
 * Joint surveys (keşif): the survey page with its chain (request → survey work order → minutes →
 * Olur → installation), the survey form, camera points, and the manager's request and approval.
 * Everything reads the store and writes through `dispatch`, so it works offline.
 */
import { useState } from 'preact/hooks';
import { enumLabel, formatDate, formatDateTime, t, type MessageKey } from '../i18n';
import { buildContent, contentHash, missingForMinutes, nextRevision } from '../lib/minutes';
import { can } from '../lib/permissions';
import { href, navigate } from '../lib/router';
import { AREA_TYPES, MOUNTINGS, RECORDING_LOCATIONS, areaRule, toE6, todayIstanbul } from '../lib/survey';
import { newId, type CommandArgs, type PointFields, type SurveyFields } from '../outbox/commands';
import { dispatch, type DispatchResult } from '../outbox/dispatch';
import { useStore } from '../store/hooks';
import { getState, type MinutesRecord, type SurveyPointRecord, type SurveyRecord, type UserRecord } from '../store/store';
import { selectSurvey, type SurveyView } from '../store/surveys';
import { saveBlob } from '../sync/blobs';
import { BackLink, Feedback, Field, Sheet, TextSheet } from '../ui/components';
import { BlobImage } from '../ui/blob-image';

type Msg = { ok: boolean; text: string } | null;

export function SurveyStatusBadge({ status }: { status: string }) {
  return <span class={`badge sv-${status.toLowerCase()}`}>{enumLabel('surveyStatus', status)}</span>;
}

export function MinutesStatusBadge({ m }: { m: Pick<MinutesRecord, 'status'> }) {
  return <span class={`badge mn-${m.status.toLowerCase()}`}>{enumLabel('minutesStatus', m.status)}</span>;
}

const name = (u: UserRecord | null | undefined) => u?.fullName ?? t('common.none');

/** Whether the viewer may fill in this survey now (its technician or security staff, while a draft). */
function canWork(sv: SurveyRecord, userId: string | undefined, viewer: Parameters<typeof can>[0]): boolean {
  return sv.status === 'DRAFT' && can(viewer, 'surveys.work') && !!userId && (userId === sv.technicianId || userId === sv.securityId);
}

// --- the survey page ------------------------------------------------------------------------

export function SurveyPage({ id }: { id: string }) {
  const sv = useStore((s) => selectSurvey(s, id));
  const viewer = useStore((s) => s.viewer);
  const codes = useStore((s) => s.minutes);
  const [sheet, setSheet] = useState<'edit' | 'point' | 'minutes' | 'correct' | 'olur' | null>(null);
  const [editing, setEditing] = useState<SurveyPointRecord | null>(null);
  const [msg, setMsg] = useState<Msg>(null);
  const [busy, setBusy] = useState(false);

  if (!sv) {
    return (
      <main class="screen">
        <BackLink to="/" />
        <p class="empty">{t('survey.notHere')}</p>
      </main>
    );
  }
  const me = viewer?.user.id;
  const editable = canWork(sv, me, viewer);
  const party = !!me && (me === sv.technicianId || me === sv.securityId);
  const open = sv.minutesList.filter((m) => m.status === 'AWAITING_SIGNATURES');
  const done = (r: DispatchResult, ok = t('wo.queued')) => {
    setMsg(r.ok ? { ok: true, text: ok } : { ok: false, text: r.error.message });
    if (r.ok) setSheet(null);
  };

  async function removePoint(p: SurveyPointRecord) {
    setBusy(true);
    done(await dispatch('survey.removePoint', { pointId: p.id }));
    setBusy(false);
  }

  const fields: [MessageKey, string][] = [
    ['survey.surveyDate', formatDate(sv.surveyDate)],
    ['survey.recordingLocation', enumLabel('rec', sv.recordingLocation)],
    ['survey.recordingNote', sv.recordingNote || t('common.none')],
    ['survey.infrastructureNeeds', sv.infrastructureNeeds || t('common.none')],
    ['survey.cablingNeeds', sv.cablingNeeds || t('common.none')],
    ['survey.signsNeeded', sv.signsNeeded === null ? t('common.none') : String(sv.signsNeeded)],
    ['survey.signsNote', sv.signsNote || t('common.none')],
    ['survey.conclusion', enumLabel('conclusion', sv.conclusion)],
    ['survey.conclusionNote', sv.conclusionNote || t('common.none')],
  ];

  return (
    <main class="screen">
      <BackLink to={sv.wo ? `/wo/${sv.wo.id}` : '/'} label={sv.wo?.number} />
      <p class="wo-number">{t('survey.kicker')}</p>
      <h1>{sv.requestingUnit}</h1>
      <div class="badges">
        <SurveyStatusBadge status={sv.status} />
        {sv.pending && <span class="pending-tag">{t('wo.pending')}</span>}
      </div>
      <Feedback msg={msg} />

      <section>
        <h2>{t('survey.chain')}</h2>
        <ol class="chain" aria-label={t('survey.chain')}>
          <li class="chain-step done">
            <strong>{t('survey.step.request')}</strong>
            <span>
              {sv.requestingUnit} · {name(sv.unitHead)}
            </span>
            <span class="muted small prewrap">{sv.reason}</span>
          </li>
          <li class="chain-step done">
            <strong>{t('survey.step.workOrder')}</strong>
            {sv.wo ? (
              <a href={href(`/wo/${sv.wo.id}`)}>
                {sv.wo.number} · {enumLabel('status', sv.wo.status)}
              </a>
            ) : (
              <span>{t('common.none')}</span>
            )}
          </li>
          <li class={`chain-step${sv.minutesList.length ? ' done' : ''}`}>
            <strong>{t('survey.step.minutes')}</strong>
            {sv.minutesList.length ? (
              <ul class="plain">
                {sv.minutesList.map((m) => {
                  const supersedes = m.supersedesId ? codes[m.supersedesId]?.verificationCode : null;
                  const by = sv.minutesList.find((x) => x.supersedesId === m.id);
                  return (
                    <li key={m.id}>
                      <a href={href(`/minutes/${m.id}`)} class="minutes-link">
                        {t('minutes.revision', { n: m.revision })} · <code>{m.verificationCode}</code> · <MinutesStatusBadge m={m} />
                      </a>
                      {supersedes && <span class="muted small"> {t('minutes.supersedes', { code: supersedes })}</span>}
                      {by && <span class="muted small"> {t('minutes.supersededBy', { code: by.verificationCode })}</span>}
                    </li>
                  );
                })}
              </ul>
            ) : (
              <span class="muted">{t('survey.noMinutes')}</span>
            )}
          </li>
          <li class={`chain-step${sv.olurReference ? ' done' : ''}`}>
            <strong>{t('survey.step.olur')}</strong>
            {sv.olurReference ? (
              <span>
                {sv.olurReference} · {formatDate(sv.olurDate)}
              </span>
            ) : (
              <span class="muted">{t('survey.olurWaiting')}</span>
            )}
          </li>
          <li class={`chain-step${sv.installationWo ? ' done' : ''}`}>
            <strong>{t('survey.step.installation')}</strong>
            {sv.installationWo ? (
              <a href={href(`/wo/${sv.installationWo.id}`)}>
                {sv.installationWo.number} · {enumLabel('status', sv.installationWo.status)}
              </a>
            ) : (
              <span class="muted">{t('common.none')}</span>
            )}
          </li>
        </ol>
      </section>

      <section>
        <h2>{t('survey.details')}</h2>
        <dl class="fields">
          <Field label={t('wo.site')}>{sv.site ? <a href={href(`/site/${sv.site.id}`)}>{`${sv.site.code} · ${sv.site.name}`}</a> : t('common.none')}</Field>
          <Field label={t('minutes.role.TECHNICIAN')}>{name(sv.technician)}</Field>
          <Field label={t('minutes.role.SECURITY')}>{name(sv.security)}</Field>
          <Field label={t('minutes.role.UNIT_HEAD')}>{name(sv.unitHead)}</Field>
          {fields.map(([k, v]) => (
            <Field key={k} label={t(k)}>
              <span class="prewrap">{v}</span>
            </Field>
          ))}
        </dl>
        {editable && (
          <button type="button" class="btn-secondary wide" onClick={() => (setMsg(null), setSheet('edit'))}>
            {t('survey.edit')}
          </button>
        )}
      </section>

      <section>
        <h2>{t('survey.points')}</h2>
        {sv.points.length ? (
          <ol class="cards points" aria-label={t('survey.points')}>
            {sv.points.map((p, i) => (
              <li key={p.id} class="card point-card" data-point={p.id}>
                <div class="point-body">
                  <p class="card-title">
                    {i + 1}. {p.place}
                  </p>
                  <p class="card-meta">
                    <span>{enumLabel('area', p.areaType)}</span>
                    <span>{enumLabel('mounting', p.mounting)}</span>
                    {p.pending && <span class="pending-tag">{t('wo.pending')}</span>}
                  </p>
                  {p.viewDirection && <p class="small">{t('survey.viewDirectionShort', { v: p.viewDirection })}</p>}
                  <p class="muted small">{p.latE6 !== null && p.lonE6 !== null ? t('survey.gpsValue', { lat: (p.latE6 / 1e6).toFixed(6), lon: (p.lonE6 / 1e6).toFixed(6), acc: p.accuracyM ?? '?' }) : t('survey.noGps')}</p>
                  {p.photos.length > 0 && (
                    <ul class="photos" aria-label={t('survey.pointPhotos', { n: i + 1 })}>
                      {p.photos.map((sha) => (
                        <li key={sha}>
                          <BlobImage sha={sha} alt={t('survey.pointPhotoAlt', { place: p.place })} />
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
                {editable && (
                  <div class="card-actions">
                    <button type="button" class="btn-secondary" disabled={busy} aria-label={`${t('survey.editPoint')}: ${p.place}`} onClick={() => (setMsg(null), setEditing(p), setSheet('point'))}>
                      {t('survey.editPoint')}
                    </button>
                    <button type="button" class="btn-secondary" disabled={busy} aria-label={`${t('survey.removePoint')}: ${p.place}`} onClick={() => void removePoint(p)}>
                      {t('survey.removePoint')}
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ol>
        ) : (
          <p class="muted">{t('survey.noPoints')}</p>
        )}
        {editable && (
          <button type="button" class="btn-secondary wide" onClick={() => (setMsg(null), setEditing(null), setSheet('point'))}>
            {t('survey.addPoint')}
          </button>
        )}
      </section>

      <section>
        <h2>{t('survey.minutes')}</h2>
        {open.map((m) => (
          <a key={m.id} class="btn-primary wide link-btn" href={href(`/minutes/${m.id}`)}>
            {t('survey.openMinutes', { code: m.verificationCode })}
          </a>
        ))}
        {editable && (
          <button type="button" class="btn-primary wide" onClick={() => (setMsg(null), setSheet('minutes'))}>
            {t('survey.createMinutes')}
          </button>
        )}
        {!editable && sv.status === 'DRAFT' && !open.length && <p class="muted">{t('survey.minutesByParties')}</p>}
        {sv.status === 'SEALED' && party && can(viewer, 'surveys.work') && (
          <button type="button" class="btn-secondary wide" onClick={() => (setMsg(null), setSheet('correct'))}>
            {t('survey.correct')}
          </button>
        )}
        {sv.status === 'SEALED' && sv.conclusion === 'FAVOURABLE' && can(viewer, 'surveys.approve') && (
          <button type="button" class="btn-primary wide" onClick={() => (setMsg(null), setSheet('olur'))}>
            {t('survey.recordOlur')}
          </button>
        )}
        {sv.status === 'SEALED' && sv.conclusion === 'UNFAVOURABLE' && <p class="muted">{t('survey.unfavourableNoOlur')}</p>}
      </section>

      {sheet === 'edit' && <SurveyEditSheet sv={sv} onClose={() => setSheet(null)} onDone={(r) => done(r)} />}
      {sheet === 'point' && <PointSheet sv={sv} point={editing} onClose={() => setSheet(null)} onDone={(r) => done(r)} />}
      {sheet === 'minutes' && <CreateMinutesSheet sv={sv} onClose={() => setSheet(null)} />}
      {sheet === 'correct' && (
        <ReasonSheet
          title={t('survey.correct')}
          label={t('survey.correctReason')}
          hint={t('survey.correctHint')}
          confirm={t('survey.correctConfirm')}
          onClose={() => setSheet(null)}
          onConfirm={(reason) => dispatch('survey.correct', { surveyId: sv.id, reason })}
          onDone={(r) => done(r)}
        />
      )}
      {sheet === 'olur' && <OlurSheet sv={sv} onClose={() => setSheet(null)} onDone={(r) => done(r)} />}
    </main>
  );
}

/** A reason sheet that dispatches and reports. */
export function ReasonSheet(props: {
  title: string;
  label: string;
  hint?: string;
  confirm: string;
  onClose: () => void;
  onConfirm: (reason: string) => Promise<DispatchResult>;
  onDone: (r: DispatchResult) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <TextSheet
      title={props.title}
      label={props.label}
      hint={props.hint}
      confirm={props.confirm}
      required
      busy={busy}
      error={error}
      onClose={props.onClose}
      onConfirm={async (reason) => {
        setBusy(true);
        const r = await props.onConfirm(reason);
        setBusy(false);
        if (!r.ok) setError(r.error.message);
        else props.onDone(r);
      }}
    />
  );
}

// --- the survey form ---------------------------------------------------------------------------

interface SurveyForm {
  surveyDate: string;
  recordingLocation: string;
  recordingNote: string;
  infrastructureNeeds: string;
  cablingNeeds: string;
  signsNeeded: string;
  signsNote: string;
  conclusion: string;
  conclusionNote: string;
}

function formOf(sv: SurveyRecord): SurveyForm {
  return {
    surveyDate: sv.surveyDate ?? '',
    recordingLocation: sv.recordingLocation ?? '',
    recordingNote: sv.recordingNote ?? '',
    infrastructureNeeds: sv.infrastructureNeeds ?? '',
    cablingNeeds: sv.cablingNeeds ?? '',
    signsNeeded: sv.signsNeeded === null || sv.signsNeeded === undefined ? '' : String(sv.signsNeeded),
    signsNote: sv.signsNote ?? '',
    conclusion: sv.conclusion ?? '',
    conclusionNote: sv.conclusionNote ?? '',
  };
}

/** Only what differs from where the edit began (trimmed); empty choices are left alone. */
export function surveyChanges(start: SurveyForm, form: SurveyForm): SurveyFields {
  const out: SurveyFields = {};
  const text = ['recordingNote', 'infrastructureNeeds', 'cablingNeeds', 'signsNote', 'conclusionNote'] as const;
  for (const k of text) if (form[k].trim() !== start[k].trim()) out[k] = form[k].trim();
  if (form.surveyDate && form.surveyDate !== start.surveyDate) out.surveyDate = form.surveyDate;
  if (form.recordingLocation && form.recordingLocation !== start.recordingLocation) out.recordingLocation = form.recordingLocation as SurveyFields['recordingLocation'];
  if (form.conclusion && form.conclusion !== start.conclusion) out.conclusion = form.conclusion as SurveyFields['conclusion'];
  const n = form.signsNeeded.trim();
  if (n !== '' && n !== start.signsNeeded.trim() && /^\d+$/.test(n)) out.signsNeeded = Number(n);
  return out;
}

function SurveyEditSheet({ sv, onClose, onDone }: { sv: SurveyView; onClose: () => void; onDone: (r: DispatchResult) => void }) {
  // The base version is the one shown when the edit began; the date defaults to today.
  const [start] = useState(() => ({ version: sv.version, pending: !!sv.pending, form: formOf(sv) }));
  const [form, setForm] = useState<SurveyForm>(() => ({ ...start.form, surveyDate: start.form.surveyDate || todayIstanbul() }));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof SurveyForm) => (e: Event) => setForm((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }));
  const changes = surveyChanges(start.form, form);
  const changed = Object.keys(changes).length > 0;
  const signsBad = form.signsNeeded.trim() !== '' && !/^\d+$/.test(form.signsNeeded.trim());

  async function save(e: Event) {
    e.preventDefault();
    if (signsBad) return setError(t('survey.signsInvalid'));
    if (!changed) return setError(t('form.noChanges'));
    setBusy(true);
    setError(null);
    const baseVersions = start.pending ? {} : { [`survey:${sv.id}`]: start.version };
    const r = await dispatch('survey.update', { surveyId: sv.id, ...changes }, { baseVersions });
    setBusy(false);
    if (!r.ok) setError(r.error.message);
    else onDone(r);
  }

  return (
    <Sheet title={t('survey.edit')} onClose={onClose}>
      <form class="stack" onSubmit={save}>
        <label class="lbl">
          {t('survey.surveyDate')}
          <input type="date" value={form.surveyDate} onInput={set('surveyDate')} />
        </label>
        <label class="lbl">
          {t('survey.recordingLocation')}
          <select value={form.recordingLocation} onChange={set('recordingLocation')} aria-describedby="rec-hint">
            <option value="">{t('survey.choose')}</option>
            {RECORDING_LOCATIONS.map((r) => (
              <option key={r} value={r}>
                {enumLabel('rec', r)}
              </option>
            ))}
          </select>
        </label>
        <p id="rec-hint" class="muted small">
          {t('survey.recordingHint')}
        </p>
        <label class="lbl">
          {t('survey.recordingNote')}
          <textarea rows={2} maxLength={1000} value={form.recordingNote} onInput={set('recordingNote')} />
        </label>
        <label class="lbl">
          {t('survey.infrastructureNeeds')}
          <textarea rows={3} maxLength={4000} value={form.infrastructureNeeds} onInput={set('infrastructureNeeds')} />
        </label>
        <label class="lbl">
          {t('survey.cablingNeeds')}
          <textarea rows={3} maxLength={4000} value={form.cablingNeeds} onInput={set('cablingNeeds')} />
        </label>
        <label class="lbl">
          {t('survey.signsNeeded')}
          <input type="number" inputMode="numeric" min={0} max={500} value={form.signsNeeded} onInput={set('signsNeeded')} aria-describedby="signs-hint" />
        </label>
        <p id="signs-hint" class="muted small">
          {t('survey.signsHint')}
        </p>
        <label class="lbl">
          {t('survey.signsNote')}
          <textarea rows={2} maxLength={1000} value={form.signsNote} onInput={set('signsNote')} />
        </label>
        <div>
          <p class="lbl-text" id="conclusion-label">
            {t('survey.conclusion')}
          </p>
          <div class="segmented" role="radiogroup" aria-labelledby="conclusion-label">
            {(['FAVOURABLE', 'UNFAVOURABLE'] as const).map((c) => (
              <button key={c} type="button" role="radio" aria-checked={form.conclusion === c} class={form.conclusion === c ? 'seg-on' : ''} onClick={() => setForm((f) => ({ ...f, conclusion: c }))}>
                {enumLabel('conclusion', c)}
              </button>
            ))}
          </div>
        </div>
        <label class="lbl">
          {t('survey.conclusionNote')}
          <textarea rows={3} maxLength={4000} value={form.conclusionNote} onInput={set('conclusionNote')} />
        </label>
        <p class="muted small">{t('form.editHint')}</p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="sheet-actions">
          <button type="button" class="btn-secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn-primary" disabled={busy || !changed || signsBad}>
            {busy ? t('wo.sending') : t('form.editSave')}
          </button>
        </div>
      </form>
    </Sheet>
  );
}

// --- camera points ---------------------------------------------------------------------------

interface Gps {
  latE6: number;
  lonE6: number;
  accuracyM: number;
}

function PointSheet({ sv, point, onClose, onDone }: { sv: SurveyView; point: SurveyPointRecord | null; onClose: () => void; onDone: (r: DispatchResult) => void }) {
  const [place, setPlace] = useState(point?.place ?? '');
  const [areaType, setAreaType] = useState(point?.areaType ?? '');
  const [mounting, setMounting] = useState(point?.mounting ?? '');
  const [viewDirection, setViewDirection] = useState(point?.viewDirection ?? '');
  const [photos, setPhotos] = useState<string[]>(point?.photos ?? []);
  const [gps, setGps] = useState<Gps | null>(point && point.latE6 !== null && point.lonE6 !== null ? { latE6: point.latE6, lonE6: point.lonE6, accuracyM: point.accuracyM ?? 0 } : null);
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
      for (const f of Array.from(files)) rows.push(await saveBlob(f));
      setPhotos((p) => [...p, ...rows.map((r) => r.sha256).filter((sha) => !p.includes(sha))].slice(0, 10));
    } catch {
      setError(t('error.storage'));
    } finally {
      setBusy(false);
    }
  }

  async function save(e: Event) {
    e.preventDefault();
    if (forbidden) return setError(rule!.message);
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
      if (gps && (gps.latE6 !== point.latE6 || gps.lonE6 !== point.lonE6)) Object.assign(changes, { latE6: gps.latE6, lonE6: gps.lonE6, accuracyM: gps.accuracyM });
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
            {gps ? t('survey.gpsValue', { lat: (gps.latE6 / 1e6).toFixed(6), lon: (gps.lonE6 / 1e6).toFixed(6), acc: gps.accuracyM }) : gpsState === 'busy' ? t('survey.gpsBusy') : gpsState === 'failed' ? t('survey.gpsFailed') : t('survey.noGps')}
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
        <div class="sheet-actions">
          <button type="button" class="btn-secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn-primary" disabled={busy || !ready}>
            {busy ? t('wo.sending') : t('survey.savePoint')}
          </button>
        </div>
      </form>
    </Sheet>
  );
}

// --- minutes ------------------------------------------------------------------------------------

const MISSING_KEY = {
  surveyDate: 'survey.missing.surveyDate',
  conclusion: 'survey.missing.conclusion',
  points: 'survey.missing.points',
  recording: 'survey.missing.recording',
  signs: 'survey.missing.signs',
} as const;

function CreateMinutesSheet({ sv, onClose }: { sv: SurveyView; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const missing = useStore((s) => {
    const survey = s.surveys[sv.id];
    return survey ? missingForMinutes(buildContent(s, survey, '', 1)) : [];
  });

  async function create() {
    setBusy(true);
    setError(null);
    // The content the three parties will sign, as this phone has it; the server builds its own
    // from its state and refuses if the hashes differ.
    const s = getState();
    const survey = s.surveys[sv.id];
    const minutesId = newId();
    const content = buildContent(s, survey, minutesId, nextRevision(s, sv.id));
    const hash = await contentHash(content as never);
    const r = await dispatch('minutes.create', { id: minutesId, surveyId: sv.id, contentHash: hash });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    navigate(`/minutes/${minutesId}`);
  }

  return (
    <Sheet title={t('survey.createMinutes')} onClose={onClose}>
      <div class="stack">
        {missing.length > 0 ? (
          <div class="error" role="alert">
            <p>{t('survey.incomplete')}</p>
            <ul>
              {missing.map((m) => (
                <li key={m}>{t(MISSING_KEY[m])}</li>
              ))}
            </ul>
          </div>
        ) : (
          <p>{t('survey.createMinutesHint')}</p>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="sheet-actions">
          <button type="button" class="btn-secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="button" class="btn-primary" disabled={busy || missing.length > 0} onClick={() => void create()}>
            {t('survey.createMinutesConfirm')}
          </button>
        </div>
      </div>
    </Sheet>
  );
}

// --- manager: approval (Olur) and new requests ---------------------------------------------------

function OlurSheet({ sv, onClose, onDone }: { sv: SurveyView; onClose: () => void; onDone: (r: DispatchResult) => void }) {
  const [ref, setRef] = useState('');
  const [date, setDate] = useState(todayIstanbul());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ready = ref.trim().length >= 2 && !!date;
  async function save(e: Event) {
    e.preventDefault();
    if (!ready) return;
    setBusy(true);
    const r = await dispatch('survey.recordApproval', { surveyId: sv.id, olurReference: ref.trim(), olurDate: date, installationWorkOrderId: newId() });
    setBusy(false);
    if (!r.ok) setError(r.error.message);
    else onDone(r);
  }
  return (
    <Sheet title={t('survey.recordOlur')} onClose={onClose}>
      <form class="stack" onSubmit={save}>
        <p class="muted small">{t('survey.olurHint')}</p>
        <label class="lbl">
          {t('survey.olurReference')}
          <input type="text" value={ref} required minLength={2} maxLength={120} onInput={(e) => setRef(e.currentTarget.value)} />
        </label>
        <label class="lbl">
          {t('survey.olurDate')}
          <input type="date" value={date} required onInput={(e) => setDate(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="sheet-actions">
          <button type="button" class="btn-secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn-primary" disabled={busy || !ready}>
            {t('survey.olurSave')}
          </button>
        </div>
      </form>
    </Sheet>
  );
}

const byName = (a: { fullName: string }, b: { fullName: string }) => a.fullName.localeCompare(b.fullName, 'tr');

export function SurveyRequestPage() {
  const viewer = useStore((s) => s.viewer);
  const sites = useStore((s) => Object.values(s.sites).sort((a, b) => a.name.localeCompare(b.name, 'tr')));
  const users = useStore((s) => Object.values(s.users).sort(byName));
  const [form, setForm] = useState({ siteId: '', requestingUnit: '', reason: '', unitHeadId: '', technicianId: '', securityId: '', dueOn: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof form) => (e: Event) => setForm((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }));
  const ready = !!form.siteId && form.requestingUnit.trim().length >= 2 && form.reason.trim().length >= 2 && !!form.unitHeadId && !!form.technicianId && !!form.securityId;

  if (!can(viewer, 'surveys.request')) {
    return (
      <main class="screen">
        <BackLink to="/" />
        <p class="empty">{t('common.notFound')}</p>
      </main>
    );
  }

  async function save(e: Event) {
    e.preventDefault();
    if (!ready) return setError(t('survey.requestIncomplete'));
    setBusy(true);
    setError(null);
    const id = newId();
    const r = await dispatch('survey.request', {
      id,
      workOrderId: newId(),
      siteId: form.siteId,
      reason: form.reason,
      requestingUnit: form.requestingUnit,
      unitHeadId: form.unitHeadId,
      technicianId: form.technicianId,
      securityId: form.securityId,
      ...(form.dueOn ? { dueOn: form.dueOn } : {}),
    });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    navigate(`/survey/${id}`);
  }

  const people = (role: string) => users.filter((u) => u.role === role);
  const select = (k: 'unitHeadId' | 'technicianId' | 'securityId', label: MessageKey, role: string) => (
    <label class="lbl">
      {t(label)}
      <select value={form[k]} onChange={set(k)} required>
        <option value="">{t('survey.choose')}</option>
        {people(role).map((u) => (
          <option key={u.id} value={u.id}>
            {u.fullName}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <main class="screen">
      <BackLink to="/surveys" label={t('surveys.title')} />
      <h1>{t('survey.newRequest')}</h1>
      <p class="muted small">{t('survey.requestHint')}</p>
      <form class="stack" onSubmit={save}>
        <label class="lbl">
          {t('wo.site')}
          <select value={form.siteId} onChange={set('siteId')} required>
            <option value="">{t('survey.choose')}</option>
            {sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.code} · {s.name}
              </option>
            ))}
          </select>
        </label>
        <label class="lbl">
          {t('survey.requestingUnit')}
          <input type="text" value={form.requestingUnit} required minLength={2} maxLength={200} onInput={set('requestingUnit')} />
        </label>
        <label class="lbl">
          {t('survey.reason')}
          <textarea rows={3} value={form.reason} required minLength={2} maxLength={2000} onInput={set('reason')} />
        </label>
        {select('unitHeadId', 'survey.unitHead', 'UNIT_HEAD')}
        {select('technicianId', 'form.technician', 'TECHNICIAN')}
        {select('securityId', 'survey.security', 'SECURITY')}
        <label class="lbl">
          {t('field.dueOn')}
          <input type="date" value={form.dueOn} onInput={set('dueOn')} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn-primary" disabled={busy || !ready}>
          {busy ? t('wo.sending') : t('survey.requestSave')}
        </button>
      </form>
    </main>
  );
}

/** All surveys the viewer sees, newest first (managers: with "new request"). */
export function SurveyList() {
  const viewer = useStore((s) => s.viewer);
  const items = useStore((s) =>
    Object.values(s.surveys)
      .map((x) => selectSurvey(s, x.id)!)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)),
  );
  return (
    <main class="screen">
      <BackLink to="/workorders" label={t('wos.title')} />
      <h1>{t('surveys.title')}</h1>
      {can(viewer, 'surveys.request') && (
        <a class="btn-primary wide link-btn" href={href('/survey-new')}>
          {t('survey.newRequest')}
        </a>
      )}
      {items.length ? (
        <ul class="cards" aria-label={t('surveys.title')}>
          {items.map((sv) => (
            <li key={sv.id} class="card">
              <a class="card-link" href={href(`/survey/${sv.id}`)}>
                <span class="card-top">
                  <span class="wo-number">{sv.wo?.number ?? '…'}</span>
                  <SurveyStatusBadge status={sv.status} />
                </span>
                <span class="card-title">{sv.requestingUnit}</span>
                <span class="card-meta">{sv.site ? `${sv.site.code} · ${sv.site.name}` : ''}</span>
                <span class="card-meta">{formatDateTime(sv.createdAt)}</span>
              </a>
            </li>
          ))}
        </ul>
      ) : (
        <p class="empty">{t('surveys.empty')}</p>
      )}
    </main>
  );
}
