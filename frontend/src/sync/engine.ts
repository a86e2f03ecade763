/**
 * The sync engine: push the outbox in seq order, then pull changes; on start, on `online`, on
 * visibility, every minute, and when the user taps "send now" (which cancels any wait).
 * Failures back off `Math.min(2 ** n, 300) * 1000` ms. "offline" (no network) is told apart
 * from "failed" (the server answered with an error or could not be reached while online).
 */
import { GraphQLRequestError, NetworkError, SessionExpiredError } from '../api/client';
import { loadSession } from '../api/session';
import { t } from '../i18n';
import { isPending, toEnvelope, type OutboxItem } from '../outbox/commands';
import { setKick } from '../outbox/dispatch';
import { getClientId, getItems, patchItems, settleConfirmed } from '../outbox/outbox';
import { delMeta, getMeta, setMeta } from '../db/idb';
import { applyChanges, getState, persistNow, resetStore } from '../store/store';
import { graphqlTransport, type PushOutcome, type Transport } from './transport';

export const BATCH_SIZE = 10;
export const PULL_LIMIT = 500;
export const PERIODIC_MS = 60_000;
export const cursorKey = (userId: string): string => `cursor:${userId}`;
export const LAST_SYNC_KEY = 'sync.lastSyncAt';

/** Wait before attempt n+1 after n consecutive failures (n ≥ 0): 1 s, 2 s, 4 s … capped at 5 min. */
export function backoffMs(n: number): number {
  return Math.min(2 ** n, 300) * 1000;
}

export type NetPhase = 'idle' | 'syncing' | 'offline' | 'failed';
export interface SyncStatus {
  phase: NetPhase;
  lastSyncAt: string | null;
  lastError: string | null;
  nextAttemptAt: number | null;
  failures: number;
  /** navigator.storage.persist() outcome; null = not asked / not supported. */
  persisted: boolean | null;
}

let status: SyncStatus = { phase: 'idle', lastSyncAt: null, lastError: null, nextAttemptAt: null, failures: 0, persisted: null };
const listeners = new Set<(s: SyncStatus) => void>();
export function getSyncStatus(): SyncStatus {
  return status;
}
export function onSyncStatus(l: (s: SyncStatus) => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
function setStatus(p: Partial<SyncStatus>): void {
  status = { ...status, ...p };
  listeners.forEach((l) => l(status));
}

// --- reply handling (pure) ------------------------------------------------------------------

export interface ReplyPlan {
  patches: { seq: number; patch: Partial<OutboxItem> }[];
  /** Sent items with no final reply go back to the queue. */
  requeue: number[];
  /** The server wants to continue from here (a gap): resend from this seq. */
  resendFrom: number | null;
  /** The push failed as a whole (OperationError outcome): message for the user. */
  error: string | null;
}

/** Maps a `syncPush` answer onto the sent items. */
export function planReplies(sent: OutboxItem[], outcome: PushOutcome, now = new Date()): ReplyPlan {
  const plan: ReplyPlan = { patches: [], requeue: [], resendFrom: null, error: null };
  if (outcome.__typename === 'OperationError') {
    plan.requeue = sent.map((it) => it.seq);
    plan.error = outcome.message;
    return plan;
  }
  const bySeq = new Map(outcome.replies.map((r) => [r.seq, r]));
  for (const it of sent) {
    const r = bySeq.get(it.seq);
    if (!r) {
      plan.requeue.push(it.seq);
    } else if (r.status === 'APPLIED' && r.mutationId === it.mutationId) {
      plan.patches.push({
        seq: it.seq,
        patch: { state: 'confirmed', result: r.result ?? null, confirmedAt: now.toISOString(), settled: false, error: undefined },
      });
    } else {
      // REJECTED (permanent), or a reply stored for another mutation under this seq.
      plan.patches.push({
        seq: it.seq,
        patch: {
          state: 'rejected',
          error: {
            code: r.code ?? (r.status === 'APPLIED' ? 'SYNC_SEQ_REUSED' : null),
            message: r.message ?? t('sync.rejectedNoReason'),
            field: r.field ?? null,
          },
        },
      });
    }
  }
  if (outcome.expectedSeq != null) plan.resendFrom = outcome.expectedSeq;
  return plan;
}

// --- push -----------------------------------------------------------------------------------

export type RunResult = 'done' | 'offline' | 'failed';

function networkResult(): RunResult {
  return typeof navigator !== 'undefined' && !navigator.onLine ? 'offline' : 'failed';
}

function errorMessage(e: unknown): string {
  if (e instanceof NetworkError) return networkResult() === 'offline' ? t('net.offline') : t('error.network');
  if (e instanceof SessionExpiredError) return t('error.sessionExpired');
  if (e instanceof GraphQLRequestError) return e.message;
  return t('error.unexpected');
}

/** Sends every pending outbox item in seq order. Stops at the first transient failure. */
export async function pushAll(transport: Transport): Promise<{ result: RunResult; error: string | null }> {
  const clientId = getClientId();
  if (!clientId) return { result: 'done', error: null };
  let resendFrom: number | null = null;
  for (let round = 0; round < 1000; round++) {
    const all = getItems();
    let queue = all.filter(isPending);
    if (resendFrom !== null) {
      const from = resendFrom;
      // The server has nothing from `from` on: everything of ours from there goes again, in order.
      queue = all.filter((it) => it.seq >= from && (isPending(it) || it.state === 'confirmed'));
      if (!queue.length || queue[0].seq !== from) return { result: 'failed', error: t('sync.gap', { seq: from }) };
    }
    if (!queue.length) return { result: 'done', error: null };
    const batch = queue.slice(0, BATCH_SIZE);
    await patchItems(batch.map((it) => ({ seq: it.seq, patch: { state: 'sent' } })));
    let outcome: PushOutcome;
    try {
      outcome = await transport.push(clientId, batch.map(toEnvelope));
    } catch (e) {
      await patchItems(batch.map((it) => ({ seq: it.seq, patch: { state: 'queued' } })));
      return { result: e instanceof NetworkError ? networkResult() : 'failed', error: errorMessage(e) };
    }
    const plan = planReplies(batch, outcome);
    await patchItems([...plan.patches, ...plan.requeue.map((seq) => ({ seq, patch: { state: 'queued' as const } }))]);
    if (plan.error) return { result: 'failed', error: plan.error };
    if (plan.resendFrom !== null) {
      if (plan.resendFrom === resendFrom && !plan.patches.length) return { result: 'failed', error: t('sync.gap', { seq: plan.resendFrom }) };
      resendFrom = plan.resendFrom;
      continue;
    }
    resendFrom = null;
    if (!plan.patches.length) return { result: 'failed', error: t('error.unexpected') };
  }
  return { result: 'failed', error: t('error.unexpected') };
}

// --- pull -----------------------------------------------------------------------------------

/** Pulls until `hasMore` is false; the cursor is stored only after its page is applied and saved. */
export async function pullAll(transport: Transport): Promise<{ result: RunResult; error: string | null }> {
  const userId = getState().viewer?.user.id;
  if (!userId) return { result: 'done', error: null };
  try {
    let cursor = (await getMeta<string>(cursorKey(userId))) ?? null;
    for (let page = 0; page < 10_000; page++) {
      const res = await transport.pull(cursor, PULL_LIMIT);
      if (res.reset) resetStore(true); // drop entities, keep the outbox; this page starts a fresh snapshot
      applyChanges(res.changes);
      await persistNow();
      await setMeta(cursorKey(userId), res.nextCursor);
      cursor = res.nextCursor;
      if (!res.hasMore) break;
    }
    await settleConfirmed();
    return { result: 'done', error: null };
  } catch (e) {
    return { result: e instanceof NetworkError ? networkResult() : 'failed', error: errorMessage(e) };
  }
}

export async function forgetCursor(userId: string): Promise<void> {
  await delMeta(cursorKey(userId)).catch(() => undefined);
}

// --- scheduler ------------------------------------------------------------------------------

let transport: Transport = graphqlTransport;
let timer: ReturnType<typeof setTimeout> | null = null;
let running: Promise<void> | null = null;
let again = false;
let afterPush: (() => Promise<void>) | null = null;

/** Extra work after a successful push (photo uploads); set by the blob module. */
export function setAfterPush(fn: () => Promise<void>): void {
  afterPush = fn;
}

function schedule(ms: number): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => void syncNow(), ms);
  setStatus({ nextAttemptAt: Date.now() + ms });
}

/** Runs push → pull now (cancelling any wait). Concurrent calls coalesce into one more run. */
export function syncNow(): Promise<void> {
  if (timer) clearTimeout(timer);
  timer = null;
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      await runOnce();
    } while (again);
  })().finally(() => {
    running = null;
  });
  return running;
}

async function runOnce(): Promise<void> {
  if (!loadSession() || !getClientId()) return;
  setStatus({ phase: 'syncing', nextAttemptAt: null });
  let r: { result: RunResult; error: string | null };
  try {
    r = await pushAll(transport);
    if (r.result === 'done') {
      if (afterPush) void afterPush().catch((e) => console.warn('upload failed', e));
      r = await pullAll(transport);
    }
  } catch (e) {
    // Anything unexpected (a storage error, a malformed answer) must not leave the phase at
    // "syncing" with no retry scheduled.
    console.warn('sync failed', e);
    r = { result: 'failed', error: t('error.unexpected') };
  }
  if (r.result === 'done') {
    const now = new Date().toISOString();
    setStatus({ phase: 'idle', failures: 0, lastError: null, lastSyncAt: now });
    void setMeta(LAST_SYNC_KEY, now).catch(() => undefined);
    schedule(PERIODIC_MS);
    return;
  }
  const n = status.failures;
  setStatus({ phase: r.result, failures: n + 1, lastError: r.error });
  schedule(backoffMs(n));
}

let started = false;
/** Starts the loop and its triggers (once). */
export function startSync(opts: { transport?: Transport } = {}): void {
  if (opts.transport) transport = opts.transport;
  setKick(() => void syncNow());
  if (started) return;
  started = true;
  if (typeof window !== 'undefined') {
    window.addEventListener('online', () => void syncNow());
    window.addEventListener('offline', () => setStatus({ phase: 'offline' }));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void syncNow();
    });
  }
  void getMeta<string>(LAST_SYNC_KEY)
    .then((v) => v && !status.lastSyncAt && setStatus({ lastSyncAt: v }))
    .catch(() => undefined);
}

/** Asks the browser to keep our storage (once per sign-in); the answer shows on the sync screen. */
export async function requestPersistentStorage(): Promise<boolean | null> {
  const st = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  if (!st?.persist) return null;
  try {
    const ok = (await st.persisted?.()) || (await st.persist());
    setStatus({ persisted: ok });
    return ok;
  } catch {
    return null;
  }
}

/** For tests. */
export function __resetSyncForTests(t?: Transport): void {
  if (timer) clearTimeout(timer);
  timer = null;
  running = null;
  again = false;
  if (t) transport = t;
  status = { phase: 'idle', lastSyncAt: null, lastError: null, nextAttemptAt: null, failures: 0, persisted: null };
}
