import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { __deleteDbForTests, getMeta, setMeta } from '../db/idb';
import { makeWorkOrder } from '../test/factories';
import {
  LEGACY_STORAGE_KEY,
  STATE_META_KEY,
  STORE_SCHEMA_VERSION,
  STORE_V2_INDEXEDDB,
  STORE_V3_SURVEYS,
  __resetForTests,
  allowedActionsFor,
  applyChanges,
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

beforeEach(async () => {
  __resetForTests();
  await __deleteDbForTests();
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
    update((s) =>
      withSites(s, [
        {
          id: 's1',
          code: 'HB-01',
          name: 'Hizmet Binası',
          kind: 'SERVICE_BUILDING',
          district: 'Merkez',
          address: 'Cumhuriyet Cd. 1',
          recordingLocation: 'CENTRAL_SERVER',
        },
      ]),
    );
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

  it('persists to IndexedDB and hydrates it after a restart', async () => {
    // given
    await hydrate();
    putWorkOrders([makeWorkOrder()], 'myWorkOrders');
    await persistNow();
    // when: a fresh page load
    __resetForTests();
    expect(getState().workOrders.w1).toBeUndefined();
    await hydrate();
    // then
    expect(getState().workOrders.w1.title).toBe('Kamera görüntü vermiyor');
    expect(getState().sites.s1.name).toBe('Hizmet Binası');
    expect(getState().lists.myWorkOrders.updatedAt).toMatch(/^\d{4}-/);
  });

  it('resolves persistNow only when what it saw is on disk, also when another write took it first', async () => {
    // given a write already under way (e.g. the debounced one) and nothing new since
    await hydrate();
    putWorkOrders([makeWorkOrder()], 'myWorkOrders');
    let written = false;
    const first = persistNow().then(() => {
      written = true;
    });
    // when the sync engine asks again before saving its cursor
    await persistNow();
    for (let i = 0; i < 5; i++) await Promise.resolve(); // a few microtasks, no IndexedDB work
    // then the first write has committed: a reload now would find the data
    expect(written).toBe(true);
    await first;
    __resetForTests();
    await hydrate();
    expect(getState().workOrders.w1?.title).toBe('Kamera görüntü vermiyor');
  });

  it('writes only what changed (maps compared by reference)', async () => {
    // given
    await hydrate();
    putWorkOrders([makeWorkOrder(), makeWorkOrder({ id: 'w2', number: 'IE-2' })]);
    await persistNow();
    // when
    applyChanges([{ entity: 'workOrder', id: 'w2', version: 2, op: 'DELETE', data: null }]);
    await persistNow();
    __resetForTests();
    await hydrate();
    // then
    expect(Object.keys(getState().workOrders)).toEqual(['w1']);
  });

  it('migrates the schema-1 localStorage snapshot into IndexedDB once', async () => {
    // given: what the previous version left behind
    const legacy = {
      ...getState(),
      workOrders: { w9: { ...makeWorkOrder({ id: 'w9' }), siteId: 's1', deviceIds: [], assigneeId: null, createdById: null, timeline: [] } },
    };
    localStorage.setItem(LEGACY_STORAGE_KEY, JSON.stringify({ v: 1, state: legacy }));
    // when
    await hydrate();
    await persistNow();
    // then
    expect(getState().workOrders.w9.number).toBe('IE-2026-0001');
    expect(localStorage.getItem(LEGACY_STORAGE_KEY)).toBeNull();
    __resetForTests();
    await hydrate();
    expect(getState().workOrders.w9).toBeDefined();
  });

  it('upgrades a schema-2 store: keeps viewer and data, forgets the pull cursor so surveys come with a fresh snapshot', async () => {
    // given: what the app before surveys left behind (its pulls skipped survey entities)
    await hydrate();
    putWorkOrders([makeWorkOrder()], 'myWorkOrders');
    update((s) => ({ ...s, viewer: { user: { id: 'u1', username: 't', fullName: 'T', role: 'TECHNICIAN' }, permissions: [] } }));
    await persistNow();
    const meta = await getMeta<{ v: number }>(STATE_META_KEY);
    await setMeta(STATE_META_KEY, { ...meta, v: STORE_V2_INDEXEDDB });
    await setMeta('cursor:u1', 'c-123');
    // when: the new app starts
    __resetForTests();
    await hydrate();
    // then
    expect(getState().viewer?.user.id).toBe('u1');
    expect(getState().workOrders.w1).toBeDefined();
    expect(await getMeta('cursor:u1')).toBeUndefined();
    expect((await getMeta<{ v: number }>(STATE_META_KEY))?.v).toBe(STORE_SCHEMA_VERSION);
    // and: survey entities from a pull are kept now
    applyChanges([{ entity: 'survey', id: 'sv1', version: 1, op: 'UPSERT', data: { workOrderId: 'w1', status: 'DRAFT' } }]);
    await persistNow();
    __resetForTests();
    await hydrate();
    expect(getState().surveys.sv1.status).toBe('DRAFT');
    expect(await getMeta('cursor:u1')).toBeUndefined();
  });

  it('upgrades a schema-3 store: forgets the pull cursor so diagnoses come with a fresh snapshot, then keeps them', async () => {
    // given: what the app before diagnostics left behind
    await hydrate();
    putWorkOrders([makeWorkOrder()], 'myWorkOrders');
    update((s) => ({ ...s, viewer: { user: { id: 'u1', username: 't', fullName: 'T', role: 'TECHNICIAN' }, permissions: [] } }));
    await persistNow();
    const meta = await getMeta<{ v: number }>(STATE_META_KEY);
    await setMeta(STATE_META_KEY, { ...meta, v: STORE_V3_SURVEYS });
    await setMeta('cursor:u1', 'c-456');
    // when: the new app starts
    __resetForTests();
    await hydrate();
    // then
    expect(getState().workOrders.w1).toBeDefined();
    expect(await getMeta('cursor:u1')).toBeUndefined();
    expect((await getMeta<{ v: number }>(STATE_META_KEY))?.v).toBe(STORE_SCHEMA_VERSION);
    // and: the three diagnostics entities from a pull survive a reload
    applyChanges([
      { entity: 'diagnosis', id: 'd1', version: 1, op: 'UPSERT', data: { deviceId: 'dv1', overall: 'FAIL', results: [{ check: 'clock', verdict: 'fail' }] } },
      { entity: 'deviceHealth', id: 'h1', version: 1, op: 'UPSERT', data: { deviceId: 'dv1', overall: 'FAIL', lastDiagnosisId: 'd1' } },
      { entity: 'deviceReference', id: 'r1', version: 1, op: 'UPSERT', data: { deviceId: 'dv1', imageSha256: 'ab' } },
    ]);
    await persistNow();
    __resetForTests();
    await hydrate();
    expect(getState().diagnoses.d1.results[0].verdict).toBe('fail');
    expect(getState().deviceHealth.h1.lastDiagnosisId).toBe('d1');
    expect(getState().deviceReferences.r1.imageSha256).toBe('ab');
  });

  it('keeps nothing when nobody is signed in', async () => {
    // given
    await hydrate();
    localStorage.removeItem('saha.session');
    // when
    putWorkOrders([makeWorkOrder()], 'myWorkOrders');
    await persistNow();
    localStorage.setItem('saha.session', JSON.stringify({ accessToken: 'a', refreshToken: 'r' }));
    __resetForTests();
    await hydrate();
    // then
    expect(getState().workOrders).toEqual({});
  });

  it('applies pulled UPSERTs and DELETEs and builds the timeline from pulled events', () => {
    // when
    applyChanges([
      {
        entity: 'workOrder',
        id: 'w5',
        version: 3,
        op: 'UPSERT',
        data: {
          number: 'IE-5',
          type: 'FAULT',
          status: 'IN_PROGRESS',
          title: 'T',
          description: '',
          priority: 'HIGH',
          siteId: 's1',
          assigneeId: 'u1',
          createdById: 'u2',
          dueOn: null,
          returnReason: null,
          version: 3,
          createdAt: '2026-11-20T08:00:00Z',
          updatedAt: '2026-11-20T09:00:00Z',
          deviceIds: [],
        },
      },
      {
        entity: 'workOrderEvent',
        id: 'e2',
        version: 1,
        op: 'UPSERT',
        data: {
          workOrderId: 'w5',
          seq: 2,
          at: '2026-11-20T09:00:00Z',
          actorId: 'u1',
          kind: 'STARTED',
          fromStatus: 'ASSIGNED',
          toStatus: 'IN_PROGRESS',
          text: null,
        },
      },
      {
        entity: 'workOrderEvent',
        id: 'e1',
        version: 1,
        op: 'UPSERT',
        data: { workOrderId: 'w5', seq: 1, at: '2026-11-20T08:00:00Z', actorId: 'u2', kind: 'CREATED', fromStatus: null, toStatus: 'ASSIGNED', text: null },
      },
      { entity: 'user', id: 'u1', version: 1, op: 'UPSERT', data: { username: 'teknisyen', fullName: 'Ali', role: 'TECHNICIAN', regionId: null } },
      { entity: 'nonsense', id: 'x', version: 1, op: 'UPSERT', data: {} },
    ]);
    applyChanges([{ entity: 'workOrderEvent', id: 'e1', version: 2, op: 'DELETE', data: null }]);
    // then
    const v = selectWorkOrder(getState(), 'w5')!;
    expect(v.status).toBe('IN_PROGRESS');
    expect(v.timeline.map((e) => e.id)).toEqual(['e2']);
    expect(v.timeline[0].actor?.fullName).toBe('Ali');
  });

  it('computes the actions a pulled order allows, per role', () => {
    const tech = { user: { id: 'u1', username: 't', fullName: 'T', role: 'TECHNICIAN' as const }, permissions: ['workorders.work', 'workorders.note'] };
    const mgr = {
      user: { id: 'u2', username: 'm', fullName: 'M', role: 'MANAGER' as const },
      permissions: ['workorders.approve', 'workorders.note', 'workorders.assign', 'workorders.close'],
    };
    expect(allowedActionsFor({ status: 'ASSIGNED', assigneeId: 'u1' }, tech)).toEqual(['START', 'ADD_NOTE']);
    expect(allowedActionsFor({ status: 'IN_PROGRESS', assigneeId: 'u1' }, tech)).toEqual(['ADD_NOTE', 'SUBMIT']);
    expect(allowedActionsFor({ status: 'ASSIGNED', assigneeId: 'u9' }, tech)).toEqual([]);
    expect(allowedActionsFor({ status: 'SUBMITTED', assigneeId: 'u1' }, mgr)).toEqual(['ADD_NOTE', 'APPROVE', 'RETURN']);
    expect(allowedActionsFor({ status: 'CLOSED', assigneeId: 'u1' }, mgr)).toEqual([]);
  });
});
