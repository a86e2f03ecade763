import { describe, expect, it } from 'vitest';
import type { Role, Viewer } from '../api/types';
import { can, grants, homePath, screensFor, seesEverything } from './permissions';

const viewer = (role: Role, permissions: string[]): Viewer => ({
  user: { id: '1', username: role.toLowerCase(), fullName: role, role, region: null },
  permissions,
});
// The permissions the server sends at sign-in; `can` reads the role table all the same.
const tech = viewer('TECHNICIAN', ['devices.read', 'sites.read', 'workorders.note', 'workorders.read', 'workorders.work']);
const manager = viewer('MANAGER', ['sites.read', 'workorders.approve', 'workorders.assign', 'workorders.close', 'workorders.read']);
const zabita = viewer('ZABITA', ['devices.read', 'sites.read']);
const surveySecurity = viewer('SECURITY', ['devices.read', 'sites.read', 'workorders.read', 'surveys.work', 'minutes.sign', 'account.signing']);
const unitHead = viewer('UNIT_HEAD', ['devices.read', 'sites.read', 'workorders.read', 'minutes.sign', 'account.signing']);

describe('permissions', () => {
  it("matches the server's role table exactly (no wildcards), whatever the cached list says", () => {
    expect(can(tech, 'workorders.work')).toBe(true);
    expect(can(tech, 'workorders.approve')).toBe(false);
    expect(can(viewer('TECHNICIAN', ['workorders.approve']), 'workorders.approve')).toBe(false);
    expect(can(viewer('MANAGER', []), 'workorders.approve')).toBe(true);
    expect(can(viewer('ADMIN', ['*']), 'diagnostics.schedule')).toBe(true);
    expect(grants(viewer('ZABITA', ['*']))).toEqual(['devices.read', 'sites.read']);
    expect(can(null, 'sites.read')).toBe(false);
  });

  it('keeps the permissions the server sent for a role this build does not know', () => {
    const newcomer = viewer('AUDITOR' as Role, ['sites.read']);
    expect(can(newcomer, 'sites.read')).toBe(true);
    expect(can(newcomer, 'workorders.read')).toBe(false);
  });

  it('lets managers and admins see everything', () => {
    expect([tech, manager, viewer('ADMIN', []), zabita].map(seesEverything)).toEqual([false, true, true, false]);
  });

  it('gives each role its own home screen', () => {
    expect(homePath(tech)).toBe('/my');
    expect(homePath(manager)).toBe('/review');
    expect(homePath(zabita)).toBe('/sites');
    expect(homePath(null)).toBe('/signin');
  });

  it('shows only the screens a role may use in the bottom navigation', () => {
    expect(screensFor(tech)).toEqual(['myWork', 'sites', 'sync', 'account']);
    expect(screensFor(manager)).toEqual(['review', 'workOrders', 'sites', 'sync', 'account']);
    expect(screensFor(zabita)).toEqual(['sites', 'sync', 'account']);
  });

  it('gives security staff and unit heads who take part in surveys İşlerim as home', () => {
    expect(screensFor(surveySecurity)).toEqual(['myWork', 'sites', 'sync', 'account']);
    expect(screensFor(unitHead)).toEqual(['myWork', 'sites', 'sync', 'account']);
    expect(homePath(surveySecurity)).toBe('/my');
    expect(homePath(unitHead)).toBe('/my');
  });
});
