import { describe, expect, it } from 'vitest';
import type { Role, Viewer } from '../api/types';
import { can, homePath, screensFor } from './permissions';

const viewer = (role: Role, permissions: string[]): Viewer => ({
  user: { id: '1', username: role.toLowerCase(), fullName: role, role, region: null },
  permissions,
});
const tech = viewer('TECHNICIAN', ['devices.read', 'sites.read', 'workorders.note', 'workorders.read', 'workorders.work']);
const manager = viewer('MANAGER', ['sites.read', 'workorders.approve', 'workorders.assign', 'workorders.close', 'workorders.read']);
const security = viewer('SECURITY', ['devices.read', 'sites.read']);
const surveySecurity = viewer('SECURITY', ['devices.read', 'sites.read', 'workorders.read', 'surveys.work', 'minutes.sign', 'account.signing']);
const unitHead = viewer('UNIT_HEAD', ['devices.read', 'sites.read', 'workorders.read', 'minutes.sign', 'account.signing']);

describe('permissions', () => {
  it('matches exact, area-wildcard and global grants', () => {
    expect(can(tech, 'workorders.work')).toBe(true);
    expect(can(tech, 'workorders.approve')).toBe(false);
    expect(can(viewer('ADMIN', ['workorders.*']), 'workorders.approve')).toBe(true);
    expect(can(viewer('ADMIN', ['*']), 'sites.read')).toBe(true);
    expect(can(null, 'sites.read')).toBe(false);
  });

  it('gives each role its own home screen', () => {
    expect(homePath(tech)).toBe('/my');
    expect(homePath(manager)).toBe('/review');
    expect(homePath(security)).toBe('/sites');
    expect(homePath(null)).toBe('/signin');
  });

  it('shows only the screens a role may use in the bottom navigation', () => {
    expect(screensFor(tech)).toEqual(['myWork', 'sites', 'sync', 'account']);
    expect(screensFor(manager)).toEqual(['review', 'workOrders', 'sites', 'sync', 'account']);
    expect(screensFor(security)).toEqual(['sites', 'sync', 'account']);
  });

  it('gives security staff and unit heads who take part in surveys İşlerim as home', () => {
    expect(screensFor(surveySecurity)).toEqual(['myWork', 'sites', 'sync', 'account']);
    expect(screensFor(unitHead)).toEqual(['myWork', 'sites', 'sync', 'account']);
    expect(homePath(surveySecurity)).toBe('/my');
    expect(homePath(unitHead)).toBe('/my');
  });
});
