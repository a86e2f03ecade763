/** Creating the minutes of a survey: what is missing first, then the content hash the parties sign. */
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { buildContent, contentHash, missingForMinutes, nextRevision } from '../../lib/minutes';
import { navigate } from '../../lib/router';
import { newId } from '../../outbox/commands';
import { dispatch } from '../../outbox/dispatch';
import { useStore } from '../../store/hooks';
import { getState } from '../../store/store';
import type { SurveyView } from '../../store/surveys';
import { Sheet, SheetActions } from '../../ui/components';

const MISSING_KEY = {
  surveyDate: 'survey.missing.surveyDate',
  conclusion: 'survey.missing.conclusion',
  points: 'survey.missing.points',
  recording: 'survey.missing.recording',
  signs: 'survey.missing.signs',
} as const;

export function CreateMinutesSheet({ sv, onClose }: { sv: SurveyView; onClose: () => void }) {
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
        <SheetActions onCancel={onClose} confirm={t('survey.createMinutesConfirm')} disabled={busy || missing.length > 0} onConfirm={() => void create()} />
      </div>
    </Sheet>
  );
}
