/** The manager's approval (Olur) of a favourable survey; it opens the installation work order. */
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { todayIstanbul } from '../../lib/survey';
import { newId } from '../../outbox/commands';
import { dispatch, type DispatchResult } from '../../outbox/dispatch';
import type { SurveyView } from '../../store/surveys';
import { Sheet, SheetActions } from '../../ui/components';

export function OlurSheet({ sv, onClose, onDone }: { sv: SurveyView; onClose: () => void; onDone: (r: DispatchResult) => void }) {
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
        <SheetActions onCancel={onClose} confirm={t('survey.olurSave')} disabled={busy || !ready} />
      </form>
    </Sheet>
  );
}
