/**
 * The one client-side store. Screens read only from here; `src/api` loaders, the sync pull and
 * `src/outbox` write into it. Entities are normalized by id; lists keep ids.
 *
 * Two layers: `base` is what the server said (GraphQL loads and `syncPull` pages), persisted to
 * IndexedDB (`entities` + `meta`); the state screens see is `base` with the pending outbox
 * commands applied on top (the overlay). A rejected command simply drops out of the overlay, and
 * the next pull brings the server's copy: that is the rollback.
 *
 * The parts: `records` (what is stored), `reducers` (pure updates of the server layer),
 * `selectors` (the state denormalized for screens), `persistence` (IndexedDB). This module holds
 * the live state and is what the rest of the PWA imports.
 */
import type { Viewer, WorkOrder } from '../api/types';
import {
  cancelPersist,
  clearPersisted,
  forgetPersisted,
  isPersistEnabled,
  LEGACY_STORAGE_KEY,
  load,
  persist,
  resetPersistence,
  schedulePersist,
} from './persistence';
import { emptyState, type PasskeyRecord, type SigningSetupRecord, type State, type SyncChange } from './records';
import { withChanges, withFetched, withList, withUser, withWorkOrders } from './reducers';

export {
  LEGACY_STORAGE_KEY,
  STATE_META_KEY,
  STORE_SCHEMA_VERSION,
  STORE_UPGRADES,
  STORE_V2_INDEXEDDB,
  STORE_V3_SURVEYS,
  STORE_V4_DIAGNOSTICS,
  STORE_V5_SIGNING,
} from './persistence';
export * from './records';
export * from './reducers';
export * from './selectors';

type Listener = (s: State) => void;

let base: State = emptyState();
let overlay: ((s: State) => State) | null = null;
let state: State = base;
const listeners = new Set<Listener>();

/** What screens see: server data with the pending commands applied. */
export function getState(): State {
  return state;
}

/** Server data only (no pending commands). */
export function getBaseState(): State {
  return base;
}

export function subscribe(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

function derive(): void {
  let next = base;
  if (overlay) {
    try {
      next = overlay(base);
    } catch (e) {
      console.warn('overlay failed', e);
    }
  }
  state = next;
}

function notify(): void {
  derive();
  listeners.forEach((l) => l(state));
  schedulePersist(() => base);
}

/** Applies a pure update to the server layer (produces a new state object) and notifies subscribers. */
export function update(fn: (draft: State) => State): void {
  base = fn(base);
  notify();
}

/** Sets the function that applies pending commands on top of the server layer. */
export function setOverlay(fn: ((s: State) => State) | null): void {
  overlay = fn;
  derive();
  listeners.forEach((l) => l(state));
}

// --- convenience writers -----------------------------------------------------

export function putWorkOrders(wos: WorkOrder[], listKey?: string, total?: number): void {
  update((s) => {
    let out = withWorkOrders(s, wos);
    if (listKey)
      out = withList(
        out,
        listKey,
        wos.map((w) => w.id),
        total,
      );
    for (const w of wos) out = withFetched(out, `workOrder:${w.id}`);
    return out;
  });
}

export function putViewer(viewer: Viewer | null): void {
  update((s) => withUser({ ...s, viewer }, viewer?.user));
}

/** The server's signing parameters and the viewer's passkeys, from `signingSetup`. */
export function putSigningSetup(setup: SigningSetupRecord, passkeys: PasskeyRecord[], pinSetAt: string | null): void {
  update((s) => {
    const me = s.viewer?.user.id;
    const keep = Object.fromEntries(Object.entries(s.passkeys).filter(([, p]) => p.userId !== me));
    const mine = Object.fromEntries(passkeys.map((p) => [p.id, p]));
    const same = s.signing && s.signing.rpId === setup.rpId && s.signing.pinKeyId === setup.pinKeyId && s.signing.pinPublicKey === setup.pinPublicKey;
    const users = me && s.users[me] ? { ...s.users, [me]: { ...s.users[me], signingPinSetAt: pinSetAt } } : s.users;
    return { ...s, signing: same ? s.signing : setup, passkeys: { ...keep, ...mine }, users };
  });
}

/** Drops every entity (sign-out, sign-in of someone else, pull `reset`). The outbox is not touched. */
export function resetStore(keepViewer = false): void {
  cancelPersist();
  const viewer = keepViewer ? base.viewer : null;
  const signing = keepViewer ? base.signing : null;
  base = { ...emptyState(), viewer, signing };
  forgetPersisted();
  try {
    localStorage.removeItem(LEGACY_STORAGE_KEY);
  } catch {
    /* ignore */
  }
  if (isPersistEnabled()) void clearPersisted(viewer, signing).catch((e) => console.warn('clear failed', e));
  derive();
  listeners.forEach((l) => l(state));
}

export function applyChanges(changes: SyncChange[]): void {
  update((s) => withChanges(s, changes));
}

/** Writes what changed in the server layer since the last write; resolved means on disk. */
export function persistNow(): Promise<void> {
  return persist(base);
}

/**
 * Loads the persisted server layer from IndexedDB (migrating a schema-1 localStorage snapshot
 * once) and turns on persistence of later changes.
 */
export async function hydrate(): Promise<State> {
  const { loaded, migrated } = await load();
  base = loaded;
  derive();
  listeners.forEach((l) => l(state));
  if (migrated) schedulePersist(() => base);
  return state;
}

/** For tests: back to an empty, non-persisting store. */
export function __resetForTests(): void {
  resetPersistence();
  base = emptyState();
  overlay = null;
  state = base;
  listeners.clear();
}
