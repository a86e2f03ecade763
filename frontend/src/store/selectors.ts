/** Selectors: the state denormalized for the screens. */
import type { User, WorkOrder } from '../api/types';
import { allowedActionsFor } from '../lib/lifecycle';
import type { AttachmentRecord, DeviceRecord, SiteRecord, State, WorkOrderEventRecord, WorkOrderRecord } from './records';

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
  const ids =
    site?.deviceIds ??
    Object.values(s.devices)
      .filter((d) => d.siteId === siteId)
      .map((d) => d.id);
  return ids.map((id) => s.devices[id]).filter(Boolean);
}
