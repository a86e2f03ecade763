/**
 * The device database (IndexedDB). Versions are named constants with one upgrade step each;
 * `openDb` runs every step above the stored version, in order.
 *
 *  - `entities`  server entities by [type, id] ("workOrder", "site", …), as the store keeps them
 *  - `outbox`    queued commands by [clientId, seq]; shrinks only on a server reply
 *  - `blobs`     photo bytes by SHA-256 until uploaded (and after, as the local copy)
 *  - `meta`      key/value: clientId per user, seq counter per client, pull cursor, UI state
 */
export const DB_NAME = 'saha';
export const DB_V1_INITIAL = 1;
export const DB_VERSION = DB_V1_INITIAL;

export const STORES = { entities: 'entities', outbox: 'outbox', blobs: 'blobs', meta: 'meta' } as const;

type UpgradeStep = (db: IDBDatabase, tx: IDBTransaction) => void;

/** Upgrade steps keyed by the version they produce. */
export const UPGRADES: Record<number, UpgradeStep> = {
  [DB_V1_INITIAL]: (db) => {
    db.createObjectStore(STORES.entities, { keyPath: ['type', 'id'] }).createIndex('type', 'type');
    db.createObjectStore(STORES.outbox, { keyPath: ['clientId', 'seq'] });
    db.createObjectStore(STORES.blobs, { keyPath: 'sha256' });
    db.createObjectStore(STORES.meta, { keyPath: 'key' });
  },
};

let dbPromise: Promise<IDBDatabase> | null = null;

export function openDb(): Promise<IDBDatabase> {
  if (!dbPromise) {
    dbPromise = new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = (ev) => {
        const db = req.result;
        const tx = req.transaction!;
        for (let v = ev.oldVersion + 1; v <= DB_VERSION; v++) UPGRADES[v]?.(db, tx);
      };
      req.onsuccess = () => {
        const db = req.result;
        // Another tab upgrading: let it, and reopen on next use.
        db.onversionchange = () => {
          db.close();
          dbPromise = null;
        };
        resolve(db);
      };
      req.onerror = () => reject(req.error ?? new Error('IndexedDB open failed'));
      req.onblocked = () => undefined;
    });
    dbPromise.catch(() => {
      dbPromise = null;
    });
  }
  return dbPromise;
}

export function promisify<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

export function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

/** Runs `fn` in one transaction over `stores`; resolves with its value once the transaction commits. */
export async function withTx<T>(stores: string[], mode: IDBTransactionMode, fn: (tx: IDBTransaction) => Promise<T> | T): Promise<T> {
  const db = await openDb();
  const tx = db.transaction(stores, mode);
  const committed = done(tx);
  let value: T;
  try {
    value = await fn(tx);
  } catch (e) {
    try {
      tx.abort();
    } catch {
      /* already finished */
    }
    await committed.catch(() => undefined);
    throw e;
  }
  await committed;
  return value;
}

export interface MetaRow<T = unknown> {
  key: string;
  value: T;
}

export async function getMeta<T>(key: string): Promise<T | undefined> {
  return withTx([STORES.meta], 'readonly', async (tx) => {
    const row = await promisify(tx.objectStore(STORES.meta).get(key) as IDBRequest<MetaRow<T> | undefined>);
    return row?.value;
  });
}

export async function setMeta<T>(key: string, value: T): Promise<void> {
  await withTx([STORES.meta], 'readwrite', (tx) => {
    tx.objectStore(STORES.meta).put({ key, value });
  });
}

export async function delMeta(key: string): Promise<void> {
  await withTx([STORES.meta], 'readwrite', (tx) => {
    tx.objectStore(STORES.meta).delete(key);
  });
}

/** For tests: forget the open connection and delete the database. */
export async function __deleteDbForTests(): Promise<void> {
  if (dbPromise) {
    try {
      (await dbPromise).close();
    } catch {
      /* ignore */
    }
  }
  dbPromise = null;
  await new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(DB_NAME);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}
