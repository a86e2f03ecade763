import type { Viewer } from '../api/types';

/** True when the viewer holds `perm` ("workorders.approve"), its area wildcard, or "*". */
export function can(viewer: Viewer | null | undefined, perm: string): boolean {
  if (!viewer) return false;
  const ps = viewer.permissions;
  const area = perm.split('.')[0];
  return ps.includes(perm) || ps.includes(`${area}.*`) || ps.includes('*');
}

/**
 * Security staff and unit heads who take part in joint surveys (surveys.work / minutes.sign):
 * their survey work orders are in İşlerim.
 */
export function surveyParty(viewer: Viewer | null | undefined): boolean {
  const role = viewer?.user.role;
  return (role === 'SECURITY' && can(viewer, 'surveys.work')) || (role === 'UNIT_HEAD' && can(viewer, 'minutes.sign'));
}

export type Screen = 'myWork' | 'review' | 'workOrders' | 'sites' | 'sync' | 'account';

/** Screens of the bottom navigation the viewer may use, in order. */
export function screensFor(viewer: Viewer | null | undefined): Screen[] {
  const out: Screen[] = [];
  // The backend names the technician's field-work permission "workorders.work" (start + submit).
  if (can(viewer, 'workorders.work') || can(viewer, 'workorders.start') || viewer?.user.role === 'TECHNICIAN' || surveyParty(viewer)) out.push('myWork');
  if (can(viewer, 'workorders.approve')) out.push('review');
  if (can(viewer, 'workorders.assign') || can(viewer, 'workorders.approve') || can(viewer, 'workorders.close')) out.push('workOrders');
  if (can(viewer, 'sites.read')) out.push('sites');
  out.push('sync', 'account');
  return out;
}

/** Home route by role: technicians → İşlerim; managers/admin → review queue; others → sites. */
export function homePath(viewer: Viewer | null | undefined): string {
  if (!viewer) return '/signin';
  const role = viewer.user.role;
  if (role === 'MANAGER' || role === 'ADMIN' || (role !== 'TECHNICIAN' && can(viewer, 'workorders.approve'))) return '/review';
  if (role === 'TECHNICIAN' || surveyParty(viewer)) return '/my';
  return can(viewer, 'sites.read') ? '/sites' : '/account';
}

export const SCREEN_PATH: Record<Screen, string> = {
  myWork: '/my',
  review: '/review',
  workOrders: '/workorders',
  sites: '/sites',
  sync: '/sync',
  account: '/account',
};
