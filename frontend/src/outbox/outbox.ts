/**
 * The outbox in IndexedDB: one row per command, key [clientId, seq]. `seq` comes from a counter in
 * `meta` that is read and bumped in the same transaction that writes the row, so two commands can
 * never get the same number (also across tabs). Rows leave only after a server reply.
 */
import { STORES, promisify, withTx, type MetaRow } from '../db/idb';
import { newId, plain, type CommandArgs, type CommandName, type ItemState, type OutboxItem } from './commands';

export const clientIdKey = (userId: string): string => `clientId:${userId}`;
export const seqKey = (clientId: string): string => `seq:${clientId}`;
/** Confirmed rows stay visible this long after the pull that settled them. */
export const CONFIRMED_TTL_MS = 10 * 60 * 1000;

type Listener = (items: OutboxItem[]) => void;
const listeners = new Set<Listener>();
let currentClient: string | null = null;
let items: OutboxItem[] = [];

export function onOutboxChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
function emit(): void {
  listeners.forEach((l) => l(items));
}

export function getClientId(): string | null {
  return currentClient;
}
/** This client's rows in seq order (in memory; IndexedDB is the truth). */
export function getItems(): OutboxItem[] {
  return items;
}

/** One clientId per (installation, user): created on first use and kept. */
export async function ensureClientId(userId: string): Promise<string> {
  return withTx([STORES.meta], 'readwrite', async (tx) => {
    const meta = tx.objectStore(STORES.meta);
    const row = await promisify(meta.get(clientIdKey(userId)) as IDBRequest<MetaRow<string> | undefined>);
    if (row?.value) return row.value;
    const id = newId();
    meta.put({ key: clientIdKey(userId), value: id });
    return id;
  });
}

async function readItems(clientId: string): Promise<OutboxItem[]> {
  return withTx([STORES.outbox], 'readonly', (tx) =>
    promisify(tx.objectStore(STORES.outbox).getAll(IDBKeyRange.bound([clientId, 0], [clientId, Number.MAX_SAFE_INTEGER])) as IDBRequest<OutboxItem[]>),
  );
}

/** Loads the outbox of `userId` (or clears the in-memory view when nobody is signed in). */
export async function initOutbox(userId: string | null): Promise<string | null> {
  if (!userId) {
    currentClient = null;
    items = [];
    emit();
    return null;
  }
  const clientId = await ensureClientId(userId);
  currentClient = clientId;
  items = await readItems(clientId);
  emit();
  return clientId;
}

export async function reloadItems(): Promise<OutboxItem[]> {
  if (!currentClient) return items;
  items = await readItems(currentClient);
  emit();
  return items;
}

/** Writes a new row with the next seq, atomically. */
export async function enqueue<N extends CommandName>(
  clientId: string,
  name: N,
  args: CommandArgs[N],
  opts: { baseVersions?: Record<string, number>; blobRefs?: string[]; now?: Date } = {},
): Promise<OutboxItem<N>> {
  const now = (opts.now ?? new Date()).toISOString();
  const item = await withTx([STORES.meta, STORES.outbox], 'readwrite', async (tx) => {
    const meta = tx.objectStore(STORES.meta);
    const row = await promisify(meta.get(seqKey(clientId)) as IDBRequest<MetaRow<number> | undefined>);
    const seq = (row?.value ?? 0) + 1;
    meta.put({ key: seqKey(clientId), value: seq });
    const it: OutboxItem<N> = {
      clientId,
      seq,
      mutationId: newId(),
      name,
      args: plain(args),
      baseVersions: opts.baseVersions ?? {},
      blobRefs: opts.blobRefs ?? [],
      createdAt: now,
      updatedAt: now,
      state: 'saved',
    };
    tx.objectStore(STORES.outbox).put(it);
    return it;
  });
  if (clientId === currentClient) {
    items = [...items.filter((x) => x.seq !== item.seq), item as OutboxItem].sort((a, b) => a.seq - b.seq);
    emit();
  }
  return item;
}

/** Patches rows (by seq) of the current client in one transaction. */
export async function patchItems(patches: { seq: number; patch: Partial<OutboxItem> }[]): Promise<void> {
  const clientId = currentClient;
  if (!clientId || !patches.length) return;
  const now = new Date().toISOString();
  const bySeq = new Map(patches.map((p) => [p.seq, p.patch]));
  const next = items.map((it) => (bySeq.has(it.seq) ? { ...it, ...bySeq.get(it.seq), updatedAt: now } : it));
  items = next;
  emit();
  await withTx([STORES.outbox], 'readwrite', (tx) => {
    const os = tx.objectStore(STORES.outbox);
    for (const it of next) if (bySeq.has(it.seq)) os.put(it);
  });
}

export async function setState(seqs: number[], state: ItemState): Promise<void> {
  await patchItems(seqs.map((seq) => ({ seq, patch: { state } })));
}

/** Removes rows for good (a dismissed rejection, settled confirmations). */
export async function removeItems(seqs: number[]): Promise<void> {
  const clientId = currentClient;
  if (!clientId || !seqs.length) return;
  const drop = new Set(seqs);
  items = items.filter((it) => !drop.has(it.seq));
  emit();
  await withTx([STORES.outbox], 'readwrite', (tx) => {
    const os = tx.objectStore(STORES.outbox);
    for (const seq of seqs) os.delete([clientId, seq]);
  });
}

/** After a pull: confirmed rows are now in the server copy; old settled ones are pruned. */
export async function settleConfirmed(now = Date.now()): Promise<void> {
  const settle = items.filter((it) => it.state === 'confirmed' && !it.settled).map((it) => ({ seq: it.seq, patch: { settled: true } }));
  await patchItems(settle);
  const old = items.filter((it) => it.state === 'confirmed' && it.settled && now - Date.parse(it.confirmedAt ?? it.updatedAt) > CONFIRMED_TTL_MS);
  await removeItems(old.map((it) => it.seq));
}

/** For tests. */
export function __resetOutboxForTests(): void {
  currentClient = null;
  items = [];
  listeners.clear();
}

/**
 * What became of this client's item `seq` within `ms`: the item once the server confirmed or
 * refused it, else (still queued, offline) the item as it is — or null if it is gone.
 */
export function awaitOutcome(seq: number, ms: number): Promise<OutboxItem | null> {
  const find = () => items.find((it) => it.seq === seq) ?? null;
  const done = (it: OutboxItem | null) => !!it && (it.state === 'confirmed' || it.state === 'rejected');
  const now = find();
  if (done(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const stop = onOutboxChange(() => {
      const it = find();
      if (!done(it)) return;
      clearTimeout(timer);
      stop();
      resolve(it);
    });
    const timer = setTimeout(() => {
      stop();
      resolve(find());
    }, ms);
  });
}
