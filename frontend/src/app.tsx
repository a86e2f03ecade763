import { useEffect } from 'preact/hooks';
import { loadViewer } from './api/queries';
import { SignIn } from './features/signin';
import { Account } from './features/account';
import { MyWork, ReviewQueue, WorkOrderDetail, WorkOrders } from './features/workorders';
import { DeviceDetail, SiteDetail, Sites } from './features/sites';
import { SyncScreen } from './features/sync';
import { MinutesPage } from './features/minutes';
import { CoSignPage } from './features/cosign';
import { loadSigningSetup } from './api/signing';
import { SurveyList, SurveyPage, SurveyRequestPage } from './features/surveys';
import { VerifyPage } from './features/verify';
import { ScanPage } from './features/scan';
import { FirmwareBaselines, HealthOverview } from './features/diagnostics';
import { attentionCount, useOutbox, usePendingUploads } from './sync/hooks';
import { t, type MessageKey } from './i18n';
import { useSignedIn } from './lib/auth-state';
import { SCREEN_PATH, homePath, screensFor, type Screen } from './lib/permissions';
import { href, navigate, useRoute } from './lib/router';
import { useStore } from './store/hooks';
import { Header } from './ui/components';
import { useLang } from './ui/hooks';

const NAV_LABEL: Record<Screen, MessageKey> = {
  myWork: 'nav.myWork',
  review: 'nav.review',
  workOrders: 'nav.workOrders',
  sites: 'nav.sites',
  sync: 'nav.sync',
  account: 'nav.account',
};
const NAV_ICON: Record<Screen, string> = {
  myWork: 'M9 4h6v2h4v14H5V6h4zm0 6 2 2 4-4',
  review: 'M4 12l5 5L20 6',
  workOrders: 'M5 6h14M5 12h14M5 18h14',
  sites: 'M12 21s-7-6.2-7-11a7 7 0 0 1 14 0c0 4.8-7 11-7 11zm0-8.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z',
  sync: 'M4 12a8 8 0 0 1 14-5.3M20 12a8 8 0 0 1-14 5.3M18 3v4h-4M6 21v-4h4',
  account: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-8 9a8 8 0 0 1 16 0',
};

function BottomNav({ screens, active }: { screens: Screen[]; active: Screen | null }) {
  const waiting = attentionCount(useOutbox(), usePendingUploads().length);
  return (
    <nav class="bottomnav" aria-label={t('nav.main')}>
      {screens.map((s) => (
        <a key={s} href={href(SCREEN_PATH[s])} aria-current={active === s ? 'page' : undefined}>
          <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
            <path d={NAV_ICON[s]} fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
          </svg>
          <span>{t(NAV_LABEL[s])}</span>
          {s === 'sync' && waiting > 0 && (
            <span class="nav-badge" aria-label={t('nav.syncBadge', { n: waiting })}>
              {waiting}
            </span>
          )}
        </a>
      ))}
    </nav>
  );
}

function activeScreen(route: string[]): Screen | null {
  switch (route[0]) {
    case 'my':
    case 'cosign':
    case 'scan':
      return 'myWork';
    case 'review':
      return 'review';
    case 'workorders':
    case 'wo':
    case 'surveys':
    case 'survey-new':
      return 'workOrders';
    case 'sites':
    case 'site':
    case 'device':
    case 'health':
    case 'firmware':
      return 'sites';
    case 'account':
      return 'account';
    case 'sync':
      return 'sync';
    default:
      return null;
  }
}

export function App() {
  useLang();
  const { signedIn, reason } = useSignedIn();
  const route = useRoute();
  const viewer = useStore((s) => s.viewer);

  // Refresh who we are (permissions may change) whenever we come up signed in and online.
  useEffect(() => {
    if (signedIn && navigator.onLine)
      loadViewer()
        .then(() => loadSigningSetup())
        .catch(() => undefined);
  }, [signedIn]);

  const path = route.join('/');
  const top = route[0]; // undefined at the root

  // A new screen starts at the top (hash navigation keeps the old scroll position otherwise).
  useEffect(() => window.scrollTo(0, 0), [path]);

  useEffect(() => {
    if (!signedIn && top !== 'signin' && top !== 'verify') navigate('/signin', true);
    else if (signedIn && viewer && (top === undefined || top === 'signin')) navigate(homePath(viewer), true);
  }, [signedIn, viewer, top]);

  if (!signedIn) {
    return (
      <div class="app">
        <Header />
        {route[0] === 'verify' ? <VerifyPage signedIn={false} /> : <SignIn expired={reason === 'expired'} />}
      </div>
    );
  }

  const screens = screensFor(viewer);
  let content;
  const [head, id] = route;
  switch (head) {
    case 'my':
      content = <MyWork />;
      break;
    case 'review':
      content = <ReviewQueue />;
      break;
    case 'workorders':
      content = <WorkOrders />;
      break;
    case 'wo':
      content = <WorkOrderDetail key={id} id={id} />;
      break;
    case 'survey':
      content = <SurveyPage key={id} id={id} />;
      break;
    case 'surveys':
      content = <SurveyList />;
      break;
    case 'survey-new':
      content = <SurveyRequestPage />;
      break;
    case 'minutes':
      content = <MinutesPage key={id} id={id} />;
      break;
    case 'cosign':
      content = <CoSignPage key={route.join('/')} minutesId={id} role={route[2] ?? ''} />;
      break;
    case 'verify':
      content = <VerifyPage signedIn />;
      break;
    case 'scan':
      content = <ScanPage />;
      break;
    case 'sites':
      content = <Sites />;
      break;
    case 'site':
      content = <SiteDetail key={id} id={id} />;
      break;
    case 'device':
      content = <DeviceDetail key={id} id={id} />;
      break;
    case 'health':
      content = <HealthOverview />;
      break;
    case 'firmware':
      content = <FirmwareBaselines />;
      break;
    case 'account':
      content = <Account />;
      break;
    case 'sync':
      content = <SyncScreen />;
      break;
    default:
      content = (
        <main class="screen">
          <p class="muted">{t('common.loading')}</p>
        </main>
      );
  }
  let active = activeScreen(route);
  if ((head === 'wo' || head === 'survey' || head === 'minutes') && !screens.includes('workOrders')) active = screens.includes('myWork') ? 'myWork' : 'review';
  else if (head === 'survey' || head === 'minutes') active = 'workOrders';
  return (
    <div class="app">
      <Header />
      {content}
      <BottomNav screens={screens} active={active} />
    </div>
  );
}
