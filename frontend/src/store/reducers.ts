/**
 * Reducers of the server layer: pure functions, state in, state out. GraphQL loads go through
 * `withWorkOrders` / `withSites` / `withDevices`, `syncPull` pages through `withChanges`.
 */
import type { Device, Region, Site, WorkOrder } from '../api/types';
import {
  ENTITY_MAPS,
  type EntityMapKey,
  type EntityType,
  type SiteRecord,
  type State,
  type SyncChange,
  type UserRecord,
  type WorkOrderRecord,
} from './records';

/** Shallow merge that keeps existing values for fields the incoming (partial) object lacks. */
function merge<T extends object>(old: T | undefined, incoming: Partial<T>): T {
  const out = { ...(old ?? {}) } as Record<string, unknown>;
  for (const [k, v] of Object.entries(incoming)) if (v !== undefined) out[k] = v;
  return out as T;
}

export function withUser(s: State, u: UserRecord | null | undefined): State {
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
      m[c.id] = merge(m[c.id] as UserRecord | undefined, { ...data, ...(region ? { region } : {}) });
    } else if (key === 'sites' || key === 'devices') {
      m[c.id] = merge(m[c.id] as object | undefined, data);
    } else {
      m[c.id] = data;
    }
  }
  return { ...s, ...(maps as Partial<State>) };
}
