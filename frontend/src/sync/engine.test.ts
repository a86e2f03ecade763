import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NetworkError, GraphQLRequestError } from '../api/client';
import { __deleteDbForTests } from '../db/idb';
import type { Envelope, OutboxItem } from '../outbox/commands';
import { dispatch } from '../outbox/dispatch';
import { __resetOutboxForTests, enqueue, getItems, initOutbox } from '../outbox/outbox';
import { __resetForTests, getBaseState, getState, putWorkOrders, selectWorkOrder } from '../store/store';
import { freshSignedInClient } from '../test/client';
import { makeWorkOrder } from '../test/factories';
import { __resetSyncForTests, backoffMs, planReplies, pullAll, pushAll, syncNow, getSyncStatus } from './engine';
import type { PullPage, PushOutcome, SyncReply, Transport } from './transport';

const tech = {
  user: { id: 'u1', username: 'teknisyen', fullName: 'Ali Teknisyen', role: 'TECHNICIAN' as const, region: null },
  permissions: ['workorders.work', 'workorders.note'],
};

const applied = (e: Envelope): SyncReply => ({
  seq: e.seq,
  mutationId: e.mutationId,
  status: 'APPLIED',
  code: null,
  message: null,
  field: null,
  result: { entity: 'workOrder', id: 'w1', version: 2 },
});
const rejected = (e: Envelope, message = 'İş emri "onay bekliyor" durumundayken onaya gönderme yapılamaz.'): SyncReply => ({
  seq: e.seq,
  mutationId: e.mutationId,
  status: 'REJECTED',
  code: 'WORKORDER_ILLEGAL_TRANSITION',
  message,
  field: null,
  result: null,
});
const result = (replies: SyncReply[], expectedSeq: number | null = null): PushOutcome => ({
  __typename: 'SyncPushResult',
  clientId: 'c',
  lastSeq: replies.at(-1)?.seq ?? 0,
  replies,
  expectedSeq,
});

function fakeTransport(
  push: (envs: Envelope[]) => PushOutcome | Promise<PushOutcome>,
  pages: PullPage[] = [],
): Transport & { pushed: Envelope[][]; cursors: (string | null)[] } {
  const pushed: Envelope[][] = [];
  const cursors: (string | null)[] = [];
  let i = 0;
  return {
    pushed,
    cursors,
    push: async (_c, envs) => {
      pushed.push(envs);
      return push(envs);
    },
    pull: async (cursor) => {
      cursors.push(cursor);
      return pages[i++] ?? { changes: [], nextCursor: cursor ?? 'c0', hasMore: false, reset: false };
    },
  };
}

beforeEach(async () => {
  await freshSignedInClient(tech, [makeWorkOrder()]);
});
afterEach(() => vi.restoreAllMocks());

describe('backoff', () => {
  it('doubles from one second and caps at five minutes', () => {
    expect([0, 1, 2, 3, 4, 8, 9, 20].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 16000, 256000, 300000, 300000]);
  });
});

describe('outbox', () => {
  it('allocates gap-free seqs atomically, also for concurrent writes, and keeps them ordered', async () => {
    // when: ten commands at once
    await Promise.all(Array.from({ length: 10 }, (_, i) => dispatch('workorder.addNote', { workOrderId: 'w1', text: `not ${i}` })));
    // then
    const items = getItems();
    expect(items.map((it) => it.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(new Set(items.map((it) => it.mutationId)).size).toBe(10);
    expect(items.every((it) => it.state === 'saved' && it.clientId === items[0].clientId)).toBe(true);
    // and: the counter survives a reload of the outbox
    __resetOutboxForTests();
    await initOutbox('u1');
    const next = await enqueue(getItems()[0].clientId, 'workorder.start', { workOrderId: 'w1' });
    expect(next.seq).toBe(11);
  });

  it('keeps one clientId per user', async () => {
    const a = getItems()[0]?.clientId ?? (await initOutbox('u1'));
    expect(await initOutbox('u1')).toBe(a);
    expect(await initOutbox('u2')).not.toBe(a);
  });

  it('writes the envelope with camelCase args, base version and blob refs', async () => {
    // when
    const r = await dispatch(
      'workorder.attach',
      { id: 'a1', workOrderId: 'w1', blobSha256: 'ab'.repeat(32), contentType: 'image/jpeg', kind: 'PHOTO' },
      { blobRefs: ['ab'.repeat(32)] },
    );
    // then
    expect(r.ok).toBe(true);
    expect(getItems()[0]).toMatchObject({
      seq: 1,
      name: 'workorder.attach',
      args: { workOrderId: 'w1', blobSha256: 'ab'.repeat(32) },
      baseVersions: { 'workOrder:w1': 1 },
      blobRefs: ['ab'.repeat(32)],
    });
  });

  it('refuses an empty note locally and queues nothing', async () => {
    const r = await dispatch('workorder.addNote', { workOrderId: 'w1', text: '  ' });
    expect(r.ok).toBe(false);
    expect(getItems()).toEqual([]);
  });

  it('applies commands optimistically at once, without touching the server layer', async () => {
    // when
    await dispatch('workorder.start', { workOrderId: 'w1' });
    await dispatch('workorder.addNote', { workOrderId: 'w1', text: 'Lens temizlendi' });
    await dispatch('workorder.attach', { id: 'a1', workOrderId: 'w1', blobSha256: 'f'.repeat(64), contentType: 'image/jpeg', kind: 'PHOTO' });
    // then
    const v = selectWorkOrder(getState(), 'w1')!;
    expect(v.status).toBe('IN_PROGRESS');
    expect(v.allowedActions).toEqual(['ADD_NOTE', 'SUBMIT']);
    expect(v.timeline.filter((e) => e.pending).map((e) => [e.kind, e.text])).toEqual([
      ['STARTED', null],
      ['NOTE', 'Lens temizlendi'],
    ]);
    expect(v.attachments.map((a) => a.id)).toEqual(['a1']);
    expect(getBaseState().workOrders.w1.status).toBe('ASSIGNED');
  });
});

describe('push', () => {
  it('sends in seq order and marks APPLIED confirmed and REJECTED rejected with the reason, then moves on', async () => {
    // given
    await dispatch('workorder.start', { workOrderId: 'w1' });
    await dispatch('workorder.submit', { workOrderId: 'w1', summary: '' });
    await dispatch('workorder.addNote', { workOrderId: 'w1', text: 'sonra' });
    const t = fakeTransport((envs) => result(envs.map((e) => (e.name === 'workorder.submit' ? rejected(e) : applied(e)))));
    // when
    const r = await pushAll(t);
    // then
    expect(r.result).toBe('done');
    expect(t.pushed[0].map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(t.pushed[0][0]).toEqual({
      seq: 1,
      mutationId: getItems()[0].mutationId,
      name: 'workorder.start',
      args: { workOrderId: 'w1' },
      baseVersions: { 'workOrder:w1': 1 },
      blobRefs: [],
    });
    expect(getItems().map((it) => it.state)).toEqual(['confirmed', 'rejected', 'confirmed']);
    expect(getItems()[1].error?.message).toContain('onaya gönderme yapılamaz');
  });

  it('rolls a rejected optimistic change back', async () => {
    // given: the submit shows at once
    putWorkOrders([makeWorkOrder({ status: 'IN_PROGRESS', allowedActions: ['ADD_NOTE', 'SUBMIT'] })]);
    await dispatch('workorder.submit', { workOrderId: 'w1' });
    expect(getState().workOrders.w1.status).toBe('SUBMITTED');
    // when: the server refuses it
    await pushAll(fakeTransport((envs) => result(envs.map((e) => rejected(e)))));
    // then
    expect(getState().workOrders.w1.status).toBe('IN_PROGRESS');
    expect(selectWorkOrder(getState(), 'w1')!.timeline.some((e) => e.pending)).toBe(false);
  });

  it('resends from expectedSeq when the server reports a gap', async () => {
    // given: three items; the server has only seen up to 0 and answers the batch starting at 2 with expectedSeq 1
    await dispatch('workorder.addNote', { workOrderId: 'w1', text: 'a' });
    await dispatch('workorder.addNote', { workOrderId: 'w1', text: 'b' });
    // pretend item 1 was thought confirmed locally
    const { patchItems } = await import('../outbox/outbox');
    await patchItems([{ seq: 1, patch: { state: 'confirmed', settled: true } }]);
    let call = 0;
    const t = fakeTransport((envs) => (call++ === 0 ? result([], 1) : result(envs.map(applied))));
    // when
    const r = await pushAll(t);
    // then
    expect(r.result).toBe('done');
    expect(t.pushed.map((b) => b.map((e) => e.seq))).toEqual([[2], [1, 2]]);
    expect(getItems().map((it) => it.state)).toEqual(['confirmed', 'confirmed']);
  });

  it('stops on a transient error and keeps everything queued', async () => {
    // given
    await dispatch('workorder.start', { workOrderId: 'w1' });
    await dispatch('workorder.addNote', { workOrderId: 'w1', text: 'a' });
    const t = fakeTransport(() => {
      throw new GraphQLRequestError('Unexpected error.', null);
    });
    // when
    const r = await pushAll(t);
    // then
    expect(r.result).toBe('failed');
    expect(t.pushed).toHaveLength(1);
    expect(getItems().map((it) => it.state)).toEqual(['queued', 'queued']);
    expect(getState().workOrders.w1.status).toBe('IN_PROGRESS');
  });

  it('tells offline apart from failed', async () => {
    await dispatch('workorder.start', { workOrderId: 'w1' });
    const t = fakeTransport(() => {
      throw new NetworkError(new TypeError('Failed to fetch'));
    });
    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    expect((await pushAll(t)).result).toBe('offline');
    onLine.mockReturnValue(true);
    expect((await pushAll(t)).result).toBe('failed');
  });

  it('plans replies: stored reply for another mutation under the same seq is a rejection', () => {
    const it1 = { seq: 1, mutationId: 'm1' } as OutboxItem;
    const plan = planReplies([it1], result([{ seq: 1, mutationId: 'other', status: 'APPLIED', code: null, message: null, field: null, result: null }]));
    expect(plan.patches[0].patch.state).toBe('rejected');
    const none = planReplies([it1], { __typename: 'OperationError', code: 'SYNC_CLIENT_MISMATCH', message: 'x', field: null });
    expect(none).toMatchObject({ requeue: [1], error: 'x', patches: [] });
  });

  it('backs off after failures and a manual sync runs at once', async () => {
    // given
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await dispatch('workorder.start', { workOrderId: 'w1' });
    const t = fakeTransport(() => {
      throw new GraphQLRequestError('down', null);
    });
    __resetSyncForTests(t);
    // when
    await syncNow();
    await syncNow();
    // then
    expect(getSyncStatus()).toMatchObject({ phase: 'failed', failures: 2 });
    expect(getSyncStatus().nextAttemptAt! - Date.now()).toBeGreaterThan(1500);
    expect(t.pushed).toHaveLength(2);
    vi.useRealTimers();
  });
});

describe('unexpected errors', () => {
  it('a malformed push answer fails the run and schedules a retry instead of staying at "syncing"', async () => {
    // given
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await dispatch('workorder.start', { workOrderId: 'w1' });
    __resetSyncForTests(fakeTransport(() => ({ __typename: 'SyncPushResult' }) as unknown as PushOutcome));
    // when
    await syncNow();
    // then
    expect(getSyncStatus()).toMatchObject({ phase: 'failed', failures: 1 });
    expect(getSyncStatus().nextAttemptAt).not.toBeNull();
    vi.useRealTimers();
  });
});

describe('pull', () => {
  const woData = (status: string) => ({
    number: 'IE-2026-0001',
    type: 'FAULT',
    status,
    title: 'Kamera görüntü vermiyor',
    description: '',
    priority: 'HIGH',
    siteId: 's1',
    assigneeId: 'u1',
    createdById: 'u2',
    dueOn: null,
    returnReason: null,
    version: 5,
    createdAt: '2026-11-20T08:00:00Z',
    updatedAt: '2026-11-20T09:00:00Z',
    deviceIds: [],
  });

  it('applies pages, stores the cursor after each, and settles confirmed items', async () => {
    // given
    await dispatch('workorder.start', { workOrderId: 'w1' });
    await pushAll(fakeTransport((envs) => result(envs.map(applied))));
    const t = fakeTransport(
      () => result([]),
      [
        { changes: [{ entity: 'workOrder', id: 'w1', version: 5, op: 'UPSERT', data: woData('IN_PROGRESS') }], nextCursor: 'c1', hasMore: true, reset: false },
        {
          changes: [{ entity: 'site', id: 's9', version: 1, op: 'UPSERT', data: { code: 'X', name: 'Yeni', kind: 'CAMPUS', district: 'D' } }],
          nextCursor: 'c2',
          hasMore: false,
          reset: false,
        },
      ],
    );
    // when
    const r = await pullAll(t);
    // then
    expect(r.result).toBe('done');
    expect(t.cursors).toEqual([null, 'c1']);
    expect(getBaseState().workOrders.w1.version).toBe(5);
    expect(getState().sites.s9.name).toBe('Yeni');
    expect(getItems()[0]).toMatchObject({ state: 'confirmed', settled: true });
    expect(selectWorkOrder(getState(), 'w1')!.timeline.some((e) => e.pending)).toBe(false);
    // and: the next pull continues from the stored cursor
    const t2 = fakeTransport(() => result([]));
    await pullAll(t2);
    expect(t2.cursors).toEqual(['c2']);
  });

  it('on reset drops the entities but keeps the outbox', async () => {
    // given
    putWorkOrders([makeWorkOrder({ id: 'w2', number: 'IE-2' })]);
    await dispatch('workorder.addNote', { workOrderId: 'w1', text: 'bekleyen' });
    const t = fakeTransport(
      () => result([]),
      [{ changes: [{ entity: 'workOrder', id: 'w1', version: 7, op: 'UPSERT', data: woData('ASSIGNED') }], nextCursor: 'r1', hasMore: false, reset: true }],
    );
    // when
    await pullAll(t);
    // then
    expect(Object.keys(getBaseState().workOrders)).toEqual(['w1']);
    expect(getState().viewer?.user.id).toBe('u1');
    expect(getItems().map((it) => it.state)).toEqual(['saved']);
    expect(selectWorkOrder(getState(), 'w1')!.timeline.some((e) => e.pending && e.text === 'bekleyen')).toBe(true);
  });
});
