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
});
