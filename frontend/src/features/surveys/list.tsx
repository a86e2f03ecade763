import { formatDateTime, t } from '../../i18n';
import { can } from '../../lib/permissions';
import { href } from '../../lib/router';
import { useStore } from '../../store/hooks';
import { selectSurvey } from '../../store/surveys';
import { BackLink } from '../../ui/components';
import { SurveyStatusBadge } from './badges';

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
