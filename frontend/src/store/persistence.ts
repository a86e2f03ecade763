/**
 * The server layer on the device: entities in IndexedDB (`entities` + `meta`), written a short
 * while after each change (only what changed: maps are compared by reference), read back by
 * `load` at start-up, with named schema versions and their upgrade steps.
 */
import { SESSION_STORAGE_KEY } from '../api/session';
import type { Viewer } from '../api/types';
import { STORES, promisify, withTx } from '../db/idb';
import { ENTITY_MAPS, emptyState, type EntityMapKey, type EntityType, type SigningSetupRecord, type State } from './records';

/** Schema 2: entities in IndexedDB (schema 1 was a localStorage snapshot). */
export const STORE_V2_INDEXEDDB = 2;
/** Schema 3: surveys, points, minutes, signatures and signature refusals arrive by pull (see `STORE_UPGRADES`). */
export const STORE_V3_SURVEYS = 3;
/** Schema 4: diagnoses, device health and device references arrive by pull (see `STORE_UPGRADES`). */
export const STORE_V4_DIAGNOSTICS = 4;
/** Schema 5: passkeys arrive by pull, users carry `signingPinSetAt` and no PIN salts any more. */
export const STORE_V5_SIGNING = 5;
export const STORE_SCHEMA_VERSION = STORE_V5_SIGNING;
/** The localStorage snapshot of schema 1; migrated into IndexedDB once, then removed. */
export const LEGACY_STORAGE_KEY = 'saha.store.v1';
export const STATE_META_KEY = 'store.state';

interface EntityRow {
  type: EntityType;
  id: string;
  data: unknown;
}
interface StateMeta {
  v: number;
  viewer: Viewer | null;
  lists: State['lists'];
  fetchedAt: State['fetchedAt'];
  signing?: SigningSetupRecord | null;
}

let persistTimer: ReturnType<typeof setTimeout> | null = null;
/** The IndexedDB write in flight (or the last one), so a later `persist` can wait for it. */
let lastWrite: Promise<unknown> = Promise.resolve();
let persistEnabled = false;
/** The base last written to IndexedDB (maps compared by reference to find what changed). */
let persisted: State = emptyState();

export function signedIn(): boolean {
  try {
    return !!localStorage.getItem(SESSION_STORAGE_KEY);
  } catch {
    return false;
  }
}

export const isPersistEnabled = (): boolean => persistEnabled;

/** Writes `read()` a moment from now (changes in a burst are written once). */
export function schedulePersist(read: () => State): void {
  if (!persistEnabled) return;
  cancelPersist();
  persistTimer = setTimeout(() => void persist(read()), 150);
}

export function cancelPersist(): void {
  if (persistTimer) clearTimeout(persistTimer);
  persistTimer = null;
}

/** Nothing is on disk as far as the next write knows: it writes everything. */
export function forgetPersisted(): void {
  persisted = emptyState();
}

/** Writes what changed in the server layer `to` since the last write (maps compared by reference). */
export async function persist(to: State): Promise<void> {
  cancelPersist();
  // Only a signed-in device keeps data (a late answer after sign-out must not leave data behind).
  if (!signedIn()) {
    persisted = emptyState();
    await clearPersisted(null).catch(() => undefined);
    return;
  }
  const from = persisted;
  const puts: EntityRow[] = [];
  const dels: [EntityType, string][] = [];
  for (const [type, key] of Object.entries(ENTITY_MAPS) as [EntityType, EntityMapKey][]) {
    const a = from[key] as Record<string, unknown>;
    const b = to[key] as Record<string, unknown>;
    if (a === b) continue;
    for (const [id, v] of Object.entries(b)) if (a[id] !== v) puts.push({ type, id, data: v });
    for (const id of Object.keys(a)) if (!(id in b)) dels.push([type, id]);
  }
  const metaChanged = from.viewer !== to.viewer || from.lists !== to.lists || from.fetchedAt !== to.fetchedAt || from.signing !== to.signing;
  // Nothing new to write — but an earlier call may still be writing what it took from `base`:
  // wait for it, so that "persistNow() resolved" always means "on disk" (the sync engine saves
  // its pull cursor right after; a reload in between must not find the cursor without the data).
  if (!puts.length && !dels.length && !metaChanged) {
    await lastWrite;
    return;
  }
  persisted = to;
  const write = withTx([STORES.entities, STORES.meta], 'readwrite', (tx) => {
    const es = tx.objectStore(STORES.entities);
    for (const row of puts) es.put(row);
    for (const k of dels) es.delete(k);
    if (metaChanged) {
      const value: StateMeta = { v: STORE_SCHEMA_VERSION, viewer: to.viewer, lists: to.lists, fetchedAt: to.fetchedAt, signing: to.signing };
      tx.objectStore(STORES.meta).put({ key: STATE_META_KEY, value });
    }
  });
  lastWrite = write.catch(() => undefined);
  try {
    await write;
  } catch (e) {
    // Quota or a closed database: the in-memory store still works; write everything next time.
    persisted = emptyState();
    console.warn('persist failed', e);
  }
}

export async function clearPersisted(viewer: Viewer | null, signing: SigningSetupRecord | null = null): Promise<void> {
  await withTx([STORES.entities, STORES.meta], 'readwrite', (tx) => {
    tx.objectStore(STORES.entities).clear();
    // The pull cursor only makes sense together with the entities it brought.
    tx.objectStore(STORES.meta).delete(IDBKeyRange.bound('cursor:', 'cursor:\uffff'));
    const value: StateMeta = { v: STORE_SCHEMA_VERSION, viewer, lists: {}, fetchedAt: {}, signing };
    if (viewer) tx.objectStore(STORES.meta).put({ key: STATE_META_KEY, value });
    else tx.objectStore(STORES.meta).delete(STATE_META_KEY);
  });
}

type StoreUpgrade = (tx: IDBTransaction) => void;

/** Store upgrade steps keyed by the schema version they produce (run in order by `load`). */
export const STORE_UPGRADES: Record<number, StoreUpgrade> = {
  // Apps before schema 3 skipped the survey entities of pulled pages, and their pull cursor is
  // already past them: forget the cursor so the next pull is a fresh snapshot that brings them.
  [STORE_V3_SURVEYS]: (tx) => {
    tx.objectStore(STORES.meta).delete(IDBKeyRange.bound('cursor:', 'cursor:\uffff'));
  },
  // Likewise for the diagnostics entities (diagnosis, deviceHealth, deviceReference).
  [STORE_V4_DIAGNOSTICS]: (tx) => {
    tx.objectStore(STORES.meta).delete(IDBKeyRange.bound('cursor:', 'cursor:\uffff'));
  },
  // Passkeys are a new entity, and users lost the retired PIN salts: a fresh snapshot brings the
  // former; the latter are wiped from the kept users now.
  [STORE_V5_SIGNING]: (tx) => {
    tx.objectStore(STORES.meta).delete(IDBKeyRange.bound('cursor:', 'cursor:\uffff'));
    const req = tx.objectStore(STORES.entities).openCursor();
    req.onsuccess = () => {
      const cur = req.result;
      if (!cur) return;
      const row = cur.value as EntityRow;
      if (row.type === 'user' && row.data && typeof row.data === 'object') {
        const { signingSalt: _s, signingIterations: _i, ...data } = row.data as Record<string, unknown>;
        cur.update({ ...row, data });
      }
      cur.continue();
    };
  },
};

async function upgradeStore(meta: StateMeta): Promise<void> {
  const from = meta.v;
  await withTx([STORES.entities, STORES.meta], 'readwrite', (tx) => {
    for (let v = from + 1; v <= STORE_SCHEMA_VERSION; v++) STORE_UPGRADES[v]?.(tx);
    meta.v = STORE_SCHEMA_VERSION;
    tx.objectStore(STORES.meta).put({ key: STATE_META_KEY, value: meta });
  });
}

/**
 * Turns on persistence and reads the persisted server layer from IndexedDB, migrating a schema-1
 * localStorage snapshot once (`migrated`: it still has to be written to IndexedDB).
 */
export async function load(): Promise<{ loaded: State; migrated: boolean }> {
  persistEnabled = true;
  let loaded = emptyState();
  try {
    const legacy = localStorage.getItem(LEGACY_STORAGE_KEY);
    if (legacy) {
      const parsed = JSON.parse(legacy) as { v: number; state: Partial<State> };
      if (parsed.v === 1 && signedIn()) loaded = { ...emptyState(), ...parsed.state };
    }
  } catch {
    /* unreadable snapshot: start empty */
  }
  const migrated = loaded !== null && Object.keys(loaded.workOrders).length + Object.keys(loaded.sites).length > 0;
  try {
    const { rows, meta } = await withTx([STORES.entities, STORES.meta], 'readonly', async (tx) => {
      const rows = await promisify(tx.objectStore(STORES.entities).getAll() as IDBRequest<EntityRow[]>);
      const meta = await promisify(tx.objectStore(STORES.meta).get(STATE_META_KEY) as IDBRequest<{ value: StateMeta } | undefined>);
      return { rows, meta: meta?.value };
    });
    if (signedIn() && (rows.length || meta)) {
      const s = emptyState();
      for (const r of rows) {
        const key = ENTITY_MAPS[r.type];
        if (key) (s[key] as Record<string, unknown>)[r.id] = r.data;
      }
      if (meta && meta.v >= STORE_V2_INDEXEDDB && meta.v < STORE_SCHEMA_VERSION) await upgradeStore(meta);
      if (meta && meta.v === STORE_SCHEMA_VERSION) {
        s.viewer = meta.viewer;
        s.lists = meta.lists ?? {};
        s.fetchedAt = meta.fetchedAt ?? {};
        s.signing = meta.signing ?? null;
      }
      // IndexedDB wins over a leftover legacy snapshot.
      loaded = migrated && !rows.length ? { ...loaded, viewer: s.viewer ?? loaded.viewer } : s;
      persisted = migrated && !rows.length ? emptyState() : s;
    }
  } catch (e) {
    console.warn('IndexedDB unavailable; keeping data in memory only', e);
  }
  try {
    localStorage.removeItem(LEGACY_STORAGE_KEY);
  } catch {
    /* ignore */
  }
  return { loaded, migrated };
}

/** For tests: nothing persisted, persistence off. */
export function resetPersistence(): void {
  cancelPersist();
  persisted = emptyState();
  persistEnabled = false;
}
