import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { __deleteDbForTests } from '../db/idb';
import { isOnline, noteRequest, setOnline } from '../lib/net';
import { editChanges, fieldLabel, showFieldValue } from '../lib/wo-fields';
import { __resetForTests, applyChanges, getBaseState, getState, selectWorkOrder } from '../store/store';
import { __resetSyncForTests, pushAll } from '../sync/engine';
import type { PushOutcome, Transport } from '../sync/transport';
import { freshSignedInClient } from '../test/client';
import { makeWorkOrder } from '../test/factories';
import type { Envelope } from './commands';
import { dispatch } from './dispatch';
import { __resetOutboxForTests, getItems } from './outbox';

const tech = {
  user: { id: 'u1', username: 'teknisyen', fullName: 'Ali Teknisyen', role: 'TECHNICIAN' as const, region: null },
  permissions: ['workorders.work', 'workorders.note', 'workorders.edit'],
};

beforeEach(async () => {
  await freshSignedInClient(tech, [makeWorkOrder({ version: 4 })]);
});

const start = { title: 'Kamera görüntü vermiyor', description: 'Giriş kamerası', priority: 'HIGH', dueOn: '2026-11-30' };

describe('edit form → changed fields', () => {
  it('keeps only the fields that differ (trimmed); an emptied due date is left alone', () => {
    // given / when / then
    expect(editChanges(start, { ...start })).toEqual({});
    expect(editChanges(start, { ...start, description: '  Lens kirli  ' })).toEqual({ description: 'Lens kirli' });
    expect(editChanges(start, { ...start, title: ` ${start.title} `, priority: 'URGENT' })).toEqual({ priority: 'URGENT' });
    expect(editChanges(start, { ...start, dueOn: '' })).toEqual({});
    expect(editChanges(start, { ...start, dueOn: '2026-12-05', description: '' })).toEqual({ dueOn: '2026-12-05', description: '' });
  });
});

describe('workorder.update dispatch', () => {
  it('sends only the changed fields with the base version the edit began from, and applies at once', async () => {
    // given: the edit began at version 4; a pull brings version 6 before the user saves
    applyChanges([{ entity: 'workOrder', id: 'w1', version: 6, op: 'UPSERT', data: { ...getBaseState().workOrders.w1, version: 6, timeline: undefined } }]);
    expect(getBaseState().workOrders.w1.version).toBe(6);

    // when
    const r = await dispatch(
      'workorder.update',
      { workOrderId: 'w1', ...editChanges(start, { ...start, description: 'Lens kirli' }) },
      { baseVersions: { 'workOrder:w1': 4 } },
    );

    // then: the envelope in the outbox
    expect(r.ok).toBe(true);
    const [it] = getItems();
    expect(it.name).toBe('workorder.update');
    expect(it.args).toEqual({ workOrderId: 'w1', description: 'Lens kirli' });
    expect(it.baseVersions).toEqual({ 'workOrder:w1': 4 });
    // and: the screen shows the new description with a pending "edited" line; the rest is unchanged
    const wo = selectWorkOrder(getState(), 'w1')!;
    expect(wo.description).toBe('Lens kirli');
    expect(wo.title).toBe(start.title);
    expect(wo.priority).toBe('HIGH');
    expect(wo.timeline.at(-1)).toMatchObject({ kind: 'EDITED', pending: true, text: 'description' });
    // and: the server copy is untouched (the overlay is what changed)
    expect(getBaseState().workOrders.w1.description).toBe('Giriş kamerası');

    // when: pushed
    const pushed: Envelope[] = [];
    const transport: Transport = {
      push: async (_c, envs): Promise<PushOutcome> => {
        pushed.push(...envs);
        return {
          __typename: 'SyncPushResult',
          clientId: 'c',
          lastSeq: envs.at(-1)!.seq,
          expectedSeq: null,
          replies: envs.map((e) => ({
            seq: e.seq,
            mutationId: e.mutationId,
            status: 'APPLIED' as const,
            code: null,
            message: null,
            field: null,
            result: null,
          })),
        };
      },
      pull: async () => ({ changes: [], nextCursor: 'c1', hasMore: false, reset: false }),
    };
    await pushAll(transport);

    // then: the wire envelope carries the same base version and args
    expect(pushed).toHaveLength(1);
    expect(pushed[0]).toMatchObject({ name: 'workorder.update', args: { workOrderId: 'w1', description: 'Lens kirli' }, baseVersions: { 'workOrder:w1': 4 } });
  });

  it('without explicit base versions, uses the server copy version (other commands)', async () => {
    // when
    await dispatch('workorder.addNote', { workOrderId: 'w1', text: 'not' });
    // then
    expect(getItems()[0].baseVersions).toEqual({ 'workOrder:w1': 4 });
  });

  it('refuses an edit with nothing changed or an empty title', async () => {
    // when
    const none = await dispatch('workorder.update', { workOrderId: 'w1' }, { baseVersions: { 'workOrder:w1': 4 } });
    const blank = await dispatch('workorder.update', { workOrderId: 'w1', title: '  ' }, { baseVersions: { 'workOrder:w1': 4 } });
    // then
    expect(none).toMatchObject({ ok: false, error: { code: 'CLIENT_INVALID' } });
    expect(blank).toMatchObject({ ok: false, error: { code: 'CLIENT_INVALID', field: 'title' } });
    expect(getItems()).toHaveLength(0);
  });
});

describe('conflicts', () => {
  it('take_client applies the sent value in the PWA spelling (due_on → dueOn, high → HIGH)', async () => {
    // given: two pulled conflicts, named as the server names them
    const conflict = (id: string, field: string, serverValue: unknown, clientValue: unknown) => ({
      entity: 'conflict',
      id,
      version: 1,
      op: 'UPSERT' as const,
      data: {
        entity: 'workOrder',
        entityId: 'w1',
        field,
        serverValue,
        clientValue,
        serverActorId: 'u2',
        clientActorId: 'u1',
        createdAt: '2026-11-21T08:00:00+00:00',
        resolvedAt: null,
        resolution: null,
      },
    });
    applyChanges([conflict('c1', 'due_on', '2026-12-01', '2026-12-09'), conflict('c2', 'priority', 'low', 'urgent')]);

    // when
    await dispatch('conflict.resolve', { conflictId: 'c1', choice: 'take_client' });
    await dispatch('conflict.resolve', { conflictId: 'c2', choice: 'take_client' });

    // then
    const s = getState();
    expect(s.workOrders.w1.dueOn).toBe('2026-12-09');
    expect(s.workOrders.w1.priority).toBe('URGENT');
    expect(s.conflicts.c1).toMatchObject({ resolution: 'took_client', resolvedById: 'u1' });
    expect(getBaseState().conflicts.c1.resolvedAt).toBeNull();
  });

  it('names fields and values in words', () => {
    expect(['description', 'title', 'priority', 'due_on', 'dueOn'].map(fieldLabel)).toEqual(['Açıklama', 'Başlık', 'Öncelik', 'Termin', 'Termin']);
    expect(showFieldValue('priority', 'high')).toBe('Yüksek');
    expect(showFieldValue('due_on', '2026-12-09')).toBe('09.12.2026');
    expect(showFieldValue('description', '')).toBe('—');
  });
});

describe('net status', () => {
  it('a late successful answer does not turn the app online while the browser is offline', () => {
    // given: the browser has gone offline
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
    try {
      setOnline(false);
      // when: a request sent before the drop answers
      noteRequest(true);
      // then
      expect(isOnline()).toBe(false);
      // and: a failure still marks offline, and once the browser is online a success counts
      Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => true });
      noteRequest(true);
      expect(isOnline()).toBe(true);
    } finally {
      delete (navigator as { onLine?: boolean }).onLine; // back to the prototype's getter
    }
  });
});
