/** Status badges of surveys and their minutes (also used by the minutes screen). */
import { enumLabel } from '../../i18n';
import type { MinutesRecord } from '../../store/store';

export function SurveyStatusBadge({ status }: { status: string }) {
  return <span class={`badge sv-${status.toLowerCase()}`}>{enumLabel('surveyStatus', status)}</span>;
}

export function MinutesStatusBadge({ m }: { m: Pick<MinutesRecord, 'status'> }) {
  return <span class={`badge mn-${m.status.toLowerCase()}`}>{enumLabel('minutesStatus', m.status)}</span>;
}
