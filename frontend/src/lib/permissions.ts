import type { Viewer } from '../api/types';
import { ROLE_PERMISSIONS, UNSCOPED_ROLES, type Permission } from '../generated/rules';

/**
 * What the viewer may do: the server's role → permission table (generated from
 * backend/domain/people/permissions.py), matched exactly as `Actor.can` matches it. A role this
 * build does not know yet (the server is newer) keeps the permissions the server sent at sign-in.
 */
export function grants(viewer: Viewer | null | undefined): readonly string[] {
  if (!viewer) return [];
  return ROLE_PERMISSIONS[viewer.user.role] ?? viewer.permissions;
}

/** True when the viewer holds `perm` ("workorders.approve"). */
export function can(viewer: Viewer | null | undefined, perm: Permission): boolean {
  return grants(viewer).includes(perm);
}

/** Managers and admins: their row scope is the whole city (`Actor.sees_everything`). */
export function seesEverything(viewer: Viewer | null | undefined): boolean {
  return !!viewer && (UNSCOPED_ROLES as readonly string[]).includes(viewer.user.role);
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
  // "workorders.work": the technician's field work (start + submit).
  if (can(viewer, 'workorders.work') || viewer?.user.role === 'TECHNICIAN' || surveyParty(viewer)) out.push('myWork');
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
