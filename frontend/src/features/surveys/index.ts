/**
 * Joint surveys (keşif): the survey page with its chain (request → survey work order → minutes →
 * Olur → installation), one file per sheet (survey form, camera point, minutes, Olur, reason), the
 * list and the manager's request page. Everything reads the store and writes through `dispatch`,
 * so it works offline.
 */
export { MinutesStatusBadge, SurveyStatusBadge } from './badges';
export { SurveyList } from './list';
export { SurveyPage } from './page';
export { ReasonSheet } from './reason-sheet';
export { SurveyRequestPage } from './request';
