/**
 * The one client-side store. Screens read only from here; `src/api` loaders and
 * `src/outbox/dispatch` write into it. Entities are normalized by id; lists keep ids.
 * The whole state is plain JSON so it can be persisted (and, in the next issue, patched
 * optimistically by outbox commands).
 */
import { SESSION_STORAGE_KEY } from '../api/session';
import type { Device, IpBlock, Region, Site, User, Viewer, WorkOrder, WorkOrderEvent } from '../api/types';

export const STORE_SCHEMA_VERSION = 1;
export const STORE_STORAGE_KEY = `saha.store.v${STORE_SCHEMA_VERSION}`;

export interface WorkOrderEventRecord extends Omit<WorkOrderEvent, 'actor'> {
  actorId: string | null;
}
export interface WorkOrderRecord
  extends Omit<WorkOrder, 'site' | 'devices' | 'assignee' | 'createdBy' | 'timeline'> {
  siteId: string;
  deviceIds: string[];
  assigneeId: string | null;
  createdById: string | null;
  timeline: WorkOrderEventRecord[];
}
export interface SiteRecord extends Omit<Site, 'devices'> {
  deviceIds?: string[];
  region?: Region | null;
  ipBlocks?: IpBlock[];
}
export interface DeviceRecord extends Omit<Device, 'site'> {
  siteId: string | null;
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
  users: Record<string, User>;
  /** Named lists, e.g. "myWorkOrders", "reviewQueue", "workOrders:SUBMITTED", "sites:". */
  lists: Record<string, ListState>;
  /** When an entity was last fetched in full, key "workOrder:<id>" etc. */
  fetchedAt: Record<string, string>;
}

export const emptyState = (): State => ({
  viewer: null,
  workOrders: {},
  sites: {},
  devices: {},
  users: {},
  lists: {},
  fetchedAt: {},
});

type Listener = (s: State) => void;

let state: State = emptyState();
const listeners = new Set<Listener>();
let persistTimer: ReturnType<typeof setTimeout> | null = null;
let persistEnabled = false;

export function getState(): State {
  return state;
}

export function subscribe(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

function notify(): void {
  listeners.forEach((l) => l(state));
  schedulePersist();
}

/** Applies a pure update (produces a new state object) and notifies subscribers. */
export function update(fn: (draft: State) => State): void {
  state = fn(state);
  notify();
}

/** Shallow merge that keeps existing values for fields the incoming (partial) object lacks. */
function merge<T extends object>(old: T | undefined, incoming: Partial<T>): T {
  const out = { ...(old ?? {}) } as Record<string, unknown>;
  for (const [k, v] of Object.entries(incoming)) if (v !== undefined) out[k] = v;
  return out as T;
}

// --- normalizers (pure: state in, state out) --------------------------------

function withUser(s: State, u: User | null | undefined): State {
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

export function resetStore(): void {
  if (persistTimer) clearTimeout(persistTimer);
  persistTimer = null;
  state = emptyState();
  try {
    localStorage.removeItem(STORE_STORAGE_KEY);
  } catch {
    /* ignore */
  }
  listeners.forEach((l) => l(state));
}

// --- selectors (denormalize for screens) ------------------------------------

export interface WorkOrderView extends Omit<WorkOrderRecord, 'timeline'> {
  site: SiteRecord | null;
  devices: DeviceRecord[];
  assignee: User | null;
  createdBy: User | null;
  timeline: (WorkOrderEventRecord & { actor: User | null })[];
}

export function selectWorkOrder(s: State, id: string): WorkOrderView | null {
  const r = s.workOrders[id];
  if (!r) return null;
  return {
    ...r,
    site: s.sites[r.siteId] ?? null,
    devices: r.deviceIds.map((d) => s.devices[d]).filter(Boolean),
    assignee: r.assigneeId ? (s.users[r.assigneeId] ?? null) : null,
    createdBy: r.createdById ? (s.users[r.createdById] ?? null) : null,
    timeline: r.timeline.map((e) => ({ ...e, actor: e.actorId ? (s.users[e.actorId] ?? null) : null })),
  };
}

export function selectWorkOrderList(s: State, key: string, keep?: (w: WorkOrderRecord) => boolean): WorkOrderView[] {
  const list = s.lists[key];
  if (!list) return [];
  return list.ids
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

// --- persistence ---------------------------------------------------------------

function schedulePersist(): void {
  if (!persistEnabled) return;
  if (persistTimer) clearTimeout(persistTimer);
  persistTimer = setTimeout(persistNow, 150);
}

export function persistNow(): void {
  if (persistTimer) clearTimeout(persistTimer);
  persistTimer = null;
  try {
    // Only a signed-in device keeps a snapshot (a late answer after sign-out must not leave data behind).
    if (!localStorage.getItem(SESSION_STORAGE_KEY)) {
      localStorage.removeItem(STORE_STORAGE_KEY);
      return;
    }
    localStorage.setItem(STORE_STORAGE_KEY, JSON.stringify({ v: STORE_SCHEMA_VERSION, state }));
  } catch {
    /* quota exceeded: the in-memory store still works */
  }
}

/** Loads the last persisted snapshot (if any) and turns on persistence of later changes. */
export function hydrate(): State {
  persistEnabled = true;
  try {
    const raw = localStorage.getItem(STORE_STORAGE_KEY);
    if (raw) {
      const parsed = JSON.parse(raw) as { v: number; state: State };
      if (parsed.v === STORE_SCHEMA_VERSION) state = { ...emptyState(), ...parsed.state };
    }
  } catch {
    state = emptyState();
  }
  listeners.forEach((l) => l(state));
  return state;
}

/** For tests: back to an empty, non-persisting store. */
export function __resetForTests(): void {
  state = emptyState();
  persistEnabled = false;
  listeners.clear();
}
