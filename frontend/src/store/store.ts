/**
 * The one client-side store. Screens read only from here; `src/api` loaders, the sync pull and
 * `src/outbox` write into it. Entities are normalized by id; lists keep ids.
 *
 * Two layers: `base` is what the server said (GraphQL loads and `syncPull` pages), persisted to
 * IndexedDB (`entities` + `meta`); the state screens see is `base` with the pending outbox
 * commands applied on top (the overlay). A rejected command simply drops out of the overlay, and
 * the next pull brings the server's copy: that is the rollback.
 */
import { SESSION_STORAGE_KEY } from '../api/session';
import type { Device, IpBlock, Region, Site, User, Viewer, WorkOrder, WorkOrderEvent } from '../api/types';
import { STORES, promisify, withTx } from '../db/idb';
import { allowedActionsFor } from '../lib/lifecycle';

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

export interface WorkOrderEventRecord extends Omit<WorkOrderEvent, 'actor'> {
  actorId: string | null;
  workOrderId?: string;
  seq?: number;
  /** Optimistic line from a queued command (not on the server yet). */
  pending?: boolean;
}
export interface WorkOrderRecord
  extends Omit<WorkOrder, 'site' | 'devices' | 'assignee' | 'createdBy' | 'timeline' | 'allowedActions'> {
  siteId: string;
  deviceIds: string[];
  assigneeId: string | null;
  createdById: string | null;
  timeline: WorkOrderEventRecord[];
  /** From GraphQL; recomputed locally (see `allowedActionsFor`) when the order came by pull. */
  allowedActions?: WorkOrder['allowedActions'];
  submittedAt?: string | null;
}
export interface SiteRecord extends Omit<Site, 'devices'> {
  deviceIds?: string[];
  region?: Region | null;
  regionId?: string | null;
  ipBlocks?: IpBlock[];
}
export interface DeviceRecord extends Omit<Device, 'site'> {
  siteId: string | null;
}
export interface UserRecord extends User {
  regionId?: string | null;
  /** When the person last set their signing PIN (null: none). Nothing else about PINs is synced. */
  signingPinSetAt?: string | null;
}
/** One of the signed-in person's passkeys (synced to its owner only). */
export interface PasskeyRecord {
  id: string;
  userId: string;
  credentialId: string;
  label: string;
  transports?: string[];
  backedUp?: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  version: number;
}
/** The server's public signing parameters, kept for signing offline (`signingSetup`). */
export interface SigningSetupRecord {
  rpId: string;
  pinKeyId: string;
  pinPublicKey: string;
}
export type SignatureMethod = 'PASSKEY' | 'PIN' | 'PIN_V1';
export type SurveyStatus = 'DRAFT' | 'AWAITING_SIGNATURES' | 'SEALED' | 'APPROVED';
export type Conclusion = 'FAVOURABLE' | 'UNFAVOURABLE';
export type SignerRole = 'TECHNICIAN' | 'SECURITY' | 'UNIT_HEAD';
/** docs/surveys.md `survey`. */
export interface SurveyRecord {
  id: string;
  workOrderId: string;
  siteId: string;
  status: SurveyStatus;
  reason: string;
  requestingUnit: string;
  unitHeadId: string;
  technicianId: string;
  securityId: string;
  surveyDate: string | null;
  recordingLocation: string | null;
  recordingNote: string;
  infrastructureNeeds: string;
  cablingNeeds: string;
  signsNeeded: number | null;
  signsNote: string;
  conclusion: Conclusion | null;
  conclusionNote: string;
  correctsMinutesId: string | null;
  olurReference: string | null;
  olurDate: string | null;
  installationWorkOrderId: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  /** Created on this device, not on the server yet. */
  pending?: boolean;
}
export interface SurveyPointRecord {
  id: string;
  surveyId: string;
  position: number;
  place: string;
  areaType: string;
  mounting: string;
  viewDirection: string;
  photos: string[];
  latE6: number | null;
  lonE6: number | null;
  accuracyM: number | null;
  createdById: string | null;
  createdAt: string;
  version: number;
  pending?: boolean;
}
export type MinutesStatus = 'AWAITING_SIGNATURES' | 'SEALED' | 'WITHDRAWN';
export interface MinutesRecord {
  id: string;
  surveyId: string;
  revision: number;
  templateVersion: string;
  /** The canonical JSON text that was signed. */
  content: string;
  contentHash: string;
  verificationCode: string;
  status: MinutesStatus;
  supersedesId: string | null;
  withdrawnReason?: string | null;
  createdById: string | null;
  createdAt: string;
  sealedAt: string | null;
  pdfSha256: string | null;
  version: number;
  pending?: boolean;
}
export interface SignatureRecord {
  id: string;
  minutesId: string;
  role: SignerRole;
  signerId: string;
  imageSha256: string;
  contentHash: string;
  signedAt: string;
  recordedAt: string | null;
  capturedById: string | null;
  /** How the signer proved it (set by the server; the phone's own pending one says what it sent). */
  method?: SignatureMethod | null;
  version: number;
  pending?: boolean;
}
export interface AttachmentRecord {
  id: string;
  workOrderId: string;
  kind: string;
  blobSha256: string;
  contentType: string;
  caption: string | null;
  createdById: string | null;
  createdAt: string;
  pending?: boolean;
}
export interface ConflictRecord {
  id: string;
  entity: string;
  entityId: string;
  field: string;
  serverValue: unknown;
  clientValue: unknown;
  serverActorId: string | null;
  clientActorId: string | null;
  createdAt: string;
  resolvedAt: string | null;
  resolvedById?: string | null;
  /** `kept_server` | `took_client` (the server's spelling). */
  resolution: string | null;
}
/** A signature the server refused (wrong PIN…), kept so the signer sees it on their own phone. */
export interface SignatureRefusalRecord {
  id: string;
  minutesId: string;
  role: SignerRole;
  signerId: string;
  capturedById: string;
  code: string;
  at: string;
  version: number;
}
/** One check of a synced diagnosis: stored JSON, so `verdict` is the lower-case value ("fail"). */
export interface DiagnosisResultRecord {
  check: string;
  verdict: string;
  message?: string;
  evidence?: unknown;
  durationMs?: number;
}
/** docs/diagnostics.md `diagnosis` (enums as GraphQL names: "NIGHTLY", "FAIL"). */
export interface DiagnosisRecord {
  id: string;
  deviceId: string;
  workOrderId: string | null;
  source: string;
  requestedById: string | null;
  startedAt: string;
  finishedAt: string;
  overall: string;
  results: DiagnosisResultRecord[];
  deviceInfo: unknown;
  snapshotSha256: string | null;
  referenceSha256: string | null;
  recordedAt: string;
  version: number;
}
/** A device's latest result (`checks`: check → lower-case verdict). */
export interface DeviceHealthRecord {
  id: string;
  deviceId: string;
  siteId: string;
  overall: string;
  checks: Record<string, string>;
  lastDiagnosisId: string;
  lastCheckedAt: string;
  since: string;
  /** Who stands behind the verdict: a server run (REMOTE, NIGHTLY, WEEKLY) or a pushed PROBE result. */
  source?: string;
  version: number;
}
/** A camera's own reference image. */
export interface DeviceReferenceRecord {
  id: string;
  deviceId: string;
  imageSha256: string;
  reason: string;
  setById: string;
  setAt: string;
  version: number;
}
export interface ListState {
  ids: string[];
  total?: number;
  updatedAt: string;
}
export interface State {
  viewer: Viewer | null;
  workOrders: Record<string, WorkOrderRecord>;
  sites: Record<string, SiteRecord>;
  devices: Record<string, DeviceRecord>;
  users: Record<string, UserRecord>;
  regions: Record<string, Region>;
  events: Record<string, WorkOrderEventRecord>;
  attachments: Record<string, AttachmentRecord>;
  conflicts: Record<string, ConflictRecord>;
  surveys: Record<string, SurveyRecord>;
  surveyPoints: Record<string, SurveyPointRecord>;
  minutes: Record<string, MinutesRecord>;
  signatures: Record<string, SignatureRecord>;
  refusals: Record<string, SignatureRefusalRecord>;
  diagnoses: Record<string, DiagnosisRecord>;
  deviceHealth: Record<string, DeviceHealthRecord>;
  deviceReferences: Record<string, DeviceReferenceRecord>;
  passkeys: Record<string, PasskeyRecord>;
  /** The server's public signing parameters (null until first fetched online). */
  signing: SigningSetupRecord | null;
  /** Named lists, e.g. "myWorkOrders", "reviewQueue", "workOrders:SUBMITTED", "sites:". */
  lists: Record<string, ListState>;
  /** When an entity was last fetched in full, key "workOrder:<id>" etc. */
  fetchedAt: Record<string, string>;
}

/** Entity type on the wire (`syncPull`) → the map of the state that holds it. */
export const ENTITY_MAPS = {
  workOrder: 'workOrders',
  site: 'sites',
  device: 'devices',
  user: 'users',
  region: 'regions',
  workOrderEvent: 'events',
  workOrderAttachment: 'attachments',
  conflict: 'conflicts',
  survey: 'surveys',
  surveyPoint: 'surveyPoints',
  minutes: 'minutes',
  minutesSignature: 'signatures',
  signatureRefusal: 'refusals',
  diagnosis: 'diagnoses',
  deviceHealth: 'deviceHealth',
  deviceReference: 'deviceReferences',
  passkey: 'passkeys',
} as const;
export type EntityType = keyof typeof ENTITY_MAPS;
type EntityMapKey = (typeof ENTITY_MAPS)[EntityType];

export const emptyState = (): State => ({
  viewer: null,
  workOrders: {},
  sites: {},
  devices: {},
  users: {},
  regions: {},
  events: {},
  attachments: {},
  conflicts: {},
  surveys: {},
  surveyPoints: {},
  minutes: {},
  signatures: {},
  refusals: {},
  diagnoses: {},
  deviceHealth: {},
  deviceReferences: {},
  passkeys: {},
  signing: null,
  lists: {},
  fetchedAt: {},
});

type Listener = (s: State) => void;

let base: State = emptyState();
let overlay: ((s: State) => State) | null = null;
let state: State = base;
const listeners = new Set<Listener>();
let persistTimer: ReturnType<typeof setTimeout> | null = null;
/** The IndexedDB write in flight (or the last one), so a later `persistNow` can wait for it. */
let lastWrite: Promise<unknown> = Promise.resolve();
let persistEnabled = false;
/** The base last written to IndexedDB (maps compared by reference to find what changed). */
let persisted: State = emptyState();

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
  schedulePersist();
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

/** Shallow merge that keeps existing values for fields the incoming (partial) object lacks. */
function merge<T extends object>(old: T | undefined, incoming: Partial<T>): T {
  const out = { ...(old ?? {}) } as Record<string, unknown>;
  for (const [k, v] of Object.entries(incoming)) if (v !== undefined) out[k] = v;
  return out as T;
}

// --- normalizers (pure: state in, state out) --------------------------------

function withUser(s: State, u: UserRecord | null | undefined): State {
  if (!u) return s;
  return { ...s, users: { ...s.users, [u.id]: merge(s.users[u.id], u) } };
}

export function withDevices(s: State, devices: Device[], siteId?: string): State {
  const next = { ...s.devices };
  let sites = s.sites;
  for (const d of devices) {
    const { site, ...rest } = d;
    if (site && site.code !== undefined) {
      sites = { ...sites, [site.id]: merge(sites[site.id], stripSite(site)) };
    }
    next[d.id] = merge(next[d.id], { ...rest, siteId: site?.id ?? siteId ?? next[d.id]?.siteId ?? null });
  }
  return { ...s, devices: next, sites };
}

function stripSite(site: Site): Partial<SiteRecord> {
  const { devices, ...rest } = site;
  return devices ? { ...rest, deviceIds: devices.map((d) => d.id) } : rest;
}

export function withSites(s: State, sites: Site[]): State {
  let out = s;
  for (const site of sites) {
    if (site.devices) out = withDevices(out, site.devices, site.id);
    out = { ...out, sites: { ...out.sites, [site.id]: merge(out.sites[site.id], stripSite(site)) } };
  }
  return out;
}

export function withWorkOrders(s: State, wos: WorkOrder[]): State {
  let out = s;
  for (const wo of wos) {
    const { site, devices, assignee, createdBy, timeline, ...rest } = wo;
    out = withSites(out, [site]);
    out = withDevices(out, devices, site.id);
    out = withUser(out, assignee);
    out = withUser(out, createdBy);
    for (const ev of timeline ?? []) out = withUser(out, ev.actor);
    const rec: WorkOrderRecord = merge(out.workOrders[wo.id], {
      ...rest,
      siteId: site.id,
      deviceIds: devices.map((d) => d.id),
      assigneeId: assignee?.id ?? null,
      createdById: createdBy?.id ?? null,
      timeline: (timeline ?? []).map(({ actor, ...e }) => ({ ...e, actorId: actor?.id ?? null })),
    });
    out = { ...out, workOrders: { ...out.workOrders, [wo.id]: rec } };
  }
  return out;
}

export function withList(s: State, key: string, ids: string[], total?: number, now = new Date()): State {
  return { ...s, lists: { ...s.lists, [key]: { ids, total, updatedAt: now.toISOString() } } };
}

export function withFetched(s: State, key: string, now = new Date()): State {
  return { ...s, fetchedAt: { ...s.fetchedAt, [key]: now.toISOString() } };
}

// --- convenience writers -----------------------------------------------------

export function putWorkOrders(wos: WorkOrder[], listKey?: string, total?: number): void {
  update((s) => {
    let out = withWorkOrders(s, wos);
    if (listKey) out = withList(out, listKey, wos.map((w) => w.id), total);
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
  if (persistTimer) clearTimeout(persistTimer);
  persistTimer = null;
  const viewer = keepViewer ? base.viewer : null;
  const signing = keepViewer ? base.signing : null;
  base = { ...emptyState(), viewer, signing };
  persisted = emptyState();
  try {
    localStorage.removeItem(LEGACY_STORAGE_KEY);
  } catch {
    /* ignore */
  }
  if (persistEnabled) void clearPersisted(viewer, signing).catch((e) => console.warn('clear failed', e));
  derive();
  listeners.forEach((l) => l(state));
}

// --- sync pull -------------------------------------------------------------------------

export interface SyncChange {
  entity: string;
  id: string;
  version: number;
  op: 'UPSERT' | 'DELETE';
  data: Record<string, unknown> | null;
}

/** Applies one `syncPull` page (pure). Unknown entity types are ignored. */
export function withChanges(s: State, changes: SyncChange[]): State {
  const maps: Partial<Record<EntityMapKey, Record<string, unknown>>> = {};
  const mapOf = (k: EntityMapKey) => (maps[k] ??= { ...(s[k] as Record<string, unknown>) });
  for (const c of changes) {
    const key = ENTITY_MAPS[c.entity as EntityType];
    if (!key) continue;
    const m = mapOf(key);
    if (c.op === 'DELETE') {
      delete m[c.id];
      continue;
    }
    const data = { ...(c.data ?? {}), id: c.id } as Record<string, unknown>;
    if (key === 'workOrders') {
      const old = m[c.id] as WorkOrderRecord | undefined;
      m[c.id] = {
        ...merge(old, data as Partial<WorkOrderRecord>),
        timeline: old?.timeline ?? [],
        deviceIds: (data.deviceIds as string[] | undefined) ?? old?.deviceIds ?? [],
        // Actions computed by the server for an older status would be wrong now.
        allowedActions: undefined,
      };
    } else if (key === 'users') {
      const regionId = data.regionId as string | null | undefined;
      const region = regionId ? ((maps.regions ?? s.regions)[regionId] as Region | undefined) : undefined;
      m[c.id] = merge(m[c.id] as UserRecord | undefined, { ...data, ...(region ? { region } : {}) } as Partial<UserRecord>);
    } else if (key === 'sites' || key === 'devices') {
      m[c.id] = merge(m[c.id] as object | undefined, data);
    } else {
      m[c.id] = data;
    }
  }
  return { ...s, ...(maps as Partial<State>) };
}

export function applyChanges(changes: SyncChange[]): void {
  update((s) => withChanges(s, changes));
}

// --- selectors (denormalize for screens) ------------------------------------

/** The lifecycle of backend/domain/workorders/rules.py (generated), for orders that came by pull. */
export { allowedActionsFor };

export interface WorkOrderView extends Omit<WorkOrderRecord, 'timeline' | 'allowedActions'> {
  site: SiteRecord | null;
  devices: DeviceRecord[];
  assignee: User | null;
  createdBy: User | null;
  timeline: (WorkOrderEventRecord & { actor: User | null })[];
  attachments: AttachmentRecord[];
  allowedActions: WorkOrder['allowedActions'];
}

function eventOrder(a: WorkOrderEventRecord, b: WorkOrderEventRecord): number {
  if (!!a.pending !== !!b.pending) return a.pending ? 1 : -1;
  return a.at < b.at ? -1 : a.at > b.at ? 1 : (a.seq ?? 0) - (b.seq ?? 0);
}

export function selectWorkOrder(s: State, id: string): WorkOrderView | null {
  const r = s.workOrders[id];
  if (!r) return null;
  // Timeline: events embedded by GraphQL loads ∪ pulled events (same server ids) ∪ pending lines.
  const byId = new Map<string, WorkOrderEventRecord>();
  for (const e of r.timeline) byId.set(e.id, e);
  for (const e of Object.values(s.events)) if (e.workOrderId === id) byId.set(e.id, { ...byId.get(e.id), ...e });
  const timeline = [...byId.values()].sort(eventOrder);
  const attachments = Object.values(s.attachments)
    .filter((a) => a.workOrderId === id)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
  const pendingStatus = !!s.workOrders[id] && timeline.some((e) => e.pending && e.toStatus);
  return {
    ...r,
    site: s.sites[r.siteId] ?? null,
    devices: r.deviceIds.map((d) => s.devices[d]).filter(Boolean),
    assignee: r.assigneeId ? (s.users[r.assigneeId] ?? null) : null,
    createdBy: r.createdById ? (s.users[r.createdById] ?? null) : null,
    timeline: timeline.map((e) => ({ ...e, actor: e.actorId ? (s.users[e.actorId] ?? null) : null })),
    attachments,
    allowedActions: r.allowedActions && !pendingStatus ? r.allowedActions : allowedActionsFor(r, s.viewer),
  };
}

/**
 * A named list as loaded by GraphQL, plus every other known order that passes `keep` (orders that
 * came by pull, e.g. offline). Without `keep`, only the loaded list.
 */
export function selectWorkOrderList(s: State, key: string, keep?: (w: WorkOrderRecord) => boolean): WorkOrderView[] {
  const listed = s.lists[key]?.ids ?? [];
  const seen = new Set(listed);
  const extra = keep
    ? Object.values(s.workOrders)
        .filter((w) => !seen.has(w.id) && keep(w))
        .sort((a, b) => (a.number < b.number ? -1 : 1))
        .map((w) => w.id)
    : [];
  return [...listed, ...extra]
    .map((id) => s.workOrders[id])
    .filter((w): w is WorkOrderRecord => !!w && (!keep || keep(w)))
    .map((w) => selectWorkOrder(s, w.id)!)
    .filter(Boolean);
}

export function selectSiteDevices(s: State, siteId: string): DeviceRecord[] {
  const site = s.sites[siteId];
  const ids = site?.deviceIds ?? Object.values(s.devices).filter((d) => d.siteId === siteId).map((d) => d.id);
  return ids.map((id) => s.devices[id]).filter(Boolean);
}


// --- persistence (IndexedDB) ------------------------------------------------------------

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

function signedIn(): boolean {
  try {
    return !!localStorage.getItem(SESSION_STORAGE_KEY);
  } catch {
    return false;
  }
}

function schedulePersist(): void {
  if (!persistEnabled) return;
  if (persistTimer) clearTimeout(persistTimer);
  persistTimer = setTimeout(() => void persistNow(), 150);
}

/** Writes what changed in the server layer since the last write (maps compared by reference). */
export async function persistNow(): Promise<void> {
  if (persistTimer) clearTimeout(persistTimer);
  persistTimer = null;
  // Only a signed-in device keeps data (a late answer after sign-out must not leave data behind).
  if (!signedIn()) {
    persisted = emptyState();
    await clearPersisted(null).catch(() => undefined);
    return;
  }
  const from = persisted;
  const to = base;
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

async function clearPersisted(viewer: Viewer | null, signing: SigningSetupRecord | null = null): Promise<void> {
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

/** Store upgrade steps keyed by the schema version they produce (run in order by `hydrate`). */
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
 * Loads the persisted server layer from IndexedDB (migrating a schema-1 localStorage snapshot
 * once) and turns on persistence of later changes.
 */
export async function hydrate(): Promise<State> {
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
  base = loaded;
  try {
    localStorage.removeItem(LEGACY_STORAGE_KEY);
  } catch {
    /* ignore */
  }
  derive();
  listeners.forEach((l) => l(state));
  if (migrated) schedulePersist();
  return state;
}

/** For tests: back to an empty, non-persisting store. */
export function __resetForTests(): void {
  if (persistTimer) clearTimeout(persistTimer);
  persistTimer = null;
  base = emptyState();
  persisted = emptyState();
  overlay = null;
  state = base;
  persistEnabled = false;
  listeners.clear();
}
