import { beforeEach, describe, expect, it, vi } from 'vitest';
import { makeWorkOrder } from '../test/factories';
import {
  STORE_STORAGE_KEY,
  __resetForTests,
  getState,
  hydrate,
  persistNow,
  putWorkOrders,
  selectWorkOrder,
  selectWorkOrderList,
  subscribe,
  update,
  withSites,
} from './store';

beforeEach(() => {
  __resetForTests();
  localStorage.clear();
  localStorage.setItem('saha.session', JSON.stringify({ accessToken: 'a', refreshToken: 'r' }));
});

describe('store', () => {
  it('normalizes a work order into entities and denormalizes it back', () => {
    // given
    const wo = makeWorkOrder();
    // when
    putWorkOrders([wo], 'myWorkOrders');
    // then
    const s = getState();
    expect(s.workOrders.w1.siteId).toBe('s1');
    expect(s.workOrders.w1.assigneeId).toBe('u1');
    expect(s.workOrders.w1.timeline[0].actorId).toBe('u1');
    expect(s.users.u2.fullName).toBe('Müdür Bey');
    expect(s.devices.d1.siteId).toBe('s1');
    expect(s.lists.myWorkOrders.ids).toEqual(['w1']);
    const view = selectWorkOrder(s, 'w1')!;
    expect(view.site?.name).toBe('Hizmet Binası');
    expect(view.assignee?.username).toBe('teknisyen');
    expect(view.devices.map((d) => d.assetTag)).toEqual(['DM-1']);
    expect(view.timeline[0].actor?.fullName).toBe('Ali Teknisyen');
  });

  it('keeps richer site fields when a partial copy arrives later', () => {
    // given: the full site was loaded
    update((s) => withSites(s, [{ id: 's1', code: 'HB-01', name: 'Hizmet Binası', kind: 'SERVICE_BUILDING', district: 'Merkez', address: 'Cumhuriyet Cd. 1', recordingLocation: 'CENTRAL_SERVER' }]));
    // when: a work order brings a brief copy of the same site
    putWorkOrders([makeWorkOrder()]);
    // then
    expect(getState().sites.s1.address).toBe('Cumhuriyet Cd. 1');
    expect(getState().sites.s1.recordingLocation).toBe('CENTRAL_SERVER');
  });

  it('replaces a work order with the newer server copy', () => {
    // given
    putWorkOrders([makeWorkOrder()]);
    // when
    putWorkOrders([makeWorkOrder({ status: 'IN_PROGRESS', version: 2, allowedActions: ['ADD_NOTE', 'SUBMIT'] })]);
    // then
    const w = getState().workOrders.w1;
    expect(w.status).toBe('IN_PROGRESS');
    expect(w.version).toBe(2);
    expect(w.allowedActions).toEqual(['ADD_NOTE', 'SUBMIT']);
  });

  it('notifies subscribers and stops after unsubscribe', () => {
    // given
    const l = vi.fn();
    const off = subscribe(l);
    // when
    putWorkOrders([makeWorkOrder()]);
    off();
    putWorkOrders([makeWorkOrder({ title: 'x' })]);
    // then
    expect(l).toHaveBeenCalledTimes(1);
  });

  it('filters list members that no longer belong (e.g. approved items leave the queue)', () => {
    // given
    putWorkOrders([makeWorkOrder({ status: 'SUBMITTED' }), makeWorkOrder({ id: 'w2', number: 'IE-2', status: 'SUBMITTED' })], 'reviewQueue');
    // when
    putWorkOrders([makeWorkOrder({ status: 'APPROVED' })]);
    // then
    const queue = selectWorkOrderList(getState(), 'reviewQueue', (w) => w.status === 'SUBMITTED');
    expect(queue.map((w) => w.id)).toEqual(['w2']);
  });

  it('persists a snapshot and hydrates it after a restart', () => {
    // given
    hydrate();
    putWorkOrders([makeWorkOrder()], 'myWorkOrders');
    persistNow();
    expect(localStorage.getItem(STORE_STORAGE_KEY)).toContain('IE-2026-0001');
    // when: a fresh page load
    __resetForTests();
    expect(getState().workOrders.w1).toBeUndefined();
    hydrate();
    // then
    expect(getState().workOrders.w1.title).toBe('Kamera görüntü vermiyor');
    expect(getState().lists.myWorkOrders.updatedAt).toMatch(/^\d{4}-/);
  });

  it('keeps no snapshot when nobody is signed in', () => {
    // given
    hydrate();
    localStorage.removeItem('saha.session');
    // when
    putWorkOrders([makeWorkOrder()], 'myWorkOrders');
    persistNow();
    // then
    expect(localStorage.getItem(STORE_STORAGE_KEY)).toBeNull();
  });

  it('ignores a snapshot of another schema version', () => {
    // given
    localStorage.setItem(STORE_STORAGE_KEY, JSON.stringify({ v: 999, state: { workOrders: { x: {} } } }));
    // when
    hydrate();
    // then
    expect(getState().workOrders).toEqual({});
  });
});
