/**
 * The survey page: its chain (request → survey work order → minutes → Olur → installation), the
 * survey's fields and camera points, and the buttons that open the sheets. Everything reads the
 * store and writes through `dispatch`, so it works offline.
 */
import { useState } from 'preact/hooks';
import { enumLabel, formatDate, t, type MessageKey } from '../../i18n';
import { can } from '../../lib/permissions';
import { href } from '../../lib/router';
import { dispatch, type DispatchResult } from '../../outbox/dispatch';
import { useStore } from '../../store/hooks';
import type { SurveyPointRecord, SurveyRecord, UserRecord } from '../../store/store';
import { selectSurvey } from '../../store/surveys';
import { BackLink, Feedback, Field } from '../../ui/components';
import { BlobImage } from '../../ui/blob-image';
import { MinutesStatusBadge, SurveyStatusBadge } from './badges';
import { SurveyEditSheet } from './edit-sheet';
import { CreateMinutesSheet } from './minutes-sheet';
import { OlurSheet } from './olur-sheet';
import { PointSheet } from './point-sheet';
import { ReasonSheet } from './reason-sheet';

type Msg = { ok: boolean; text: string } | null;

const name = (u: UserRecord | null | undefined) => u?.fullName ?? t('common.none');

/** Whether the viewer may fill in this survey now (its technician or security staff, while a draft). */
function canWork(sv: SurveyRecord, userId: string | undefined, viewer: Parameters<typeof can>[0]): boolean {
  return sv.status === 'DRAFT' && can(viewer, 'surveys.work') && !!userId && (userId === sv.technicianId || userId === sv.securityId);
}

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
                  <p class="muted small">
                    {p.latE6 !== null && p.lonE6 !== null
                      ? t('survey.gpsValue', { lat: (p.latE6 / 1e6).toFixed(6), lon: (p.lonE6 / 1e6).toFixed(6), acc: p.accuracyM ?? '?' })
                      : t('survey.noGps')}
                  </p>
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
                    <button
                      type="button"
                      class="btn-secondary"
                      disabled={busy}
                      aria-label={`${t('survey.editPoint')}: ${p.place}`}
                      onClick={() => (setMsg(null), setEditing(p), setSheet('point'))}
                    >
                      {t('survey.editPoint')}
                    </button>
                    <button
                      type="button"
                      class="btn-secondary"
                      disabled={busy}
                      aria-label={`${t('survey.removePoint')}: ${p.place}`}
                      onClick={() => void removePoint(p)}
                    >
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
