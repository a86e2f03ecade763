/** The survey form: the survey's own fields, sent as the changes since the sheet opened. */
import { useState } from 'preact/hooks';
import { enumLabel, t } from '../../i18n';
import { RECORDING_LOCATIONS, todayIstanbul } from '../../lib/survey';
import type { SurveyFields } from '../../outbox/commands';
import { dispatch, type DispatchResult } from '../../outbox/dispatch';
import type { SurveyRecord } from '../../store/store';
import type { SurveyView } from '../../store/surveys';
import { Sheet, SheetActions } from '../../ui/components';

export interface SurveyForm {
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

export function formOf(sv: SurveyRecord): SurveyForm {
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
  if (form.recordingLocation && form.recordingLocation !== start.recordingLocation)
    out.recordingLocation = form.recordingLocation as SurveyFields['recordingLocation'];
  if (form.conclusion && form.conclusion !== start.conclusion) out.conclusion = form.conclusion as SurveyFields['conclusion'];
  const n = form.signsNeeded.trim();
  if (n !== '' && n !== start.signsNeeded.trim() && /^\d+$/.test(n)) out.signsNeeded = Number(n);
  return out;
}

export function SurveyEditSheet({ sv, onClose, onDone }: { sv: SurveyView; onClose: () => void; onDone: (r: DispatchResult) => void }) {
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
              <button
                key={c}
                type="button"
                role="radio"
                aria-checked={form.conclusion === c}
                class={form.conclusion === c ? 'seg-on' : ''}
                onClick={() => setForm((f) => ({ ...f, conclusion: c }))}
              >
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
        <SheetActions onCancel={onClose} confirm={t('form.editSave')} busy={busy} disabled={!changed || signsBad} />
      </form>
    </Sheet>
  );
}
