/**
 * Query functions: fetch from GraphQL and put the result into the store.
 * Screens call these to refresh; they render from the store only.
 */
import { putViewer, putWorkOrders, update, withFetched, withList, withSites, withDevices } from '../store/store';
import { gql } from './client';
import { DEVICE_FIELDS, SITE_FULL, SITE_LIST_FIELDS, USER_FIELDS, VIEWER_FIELDS, WORK_ORDER_FIELDS } from './fragments';
import type { Device, Site, User, Viewer, WorkOrder, WorkOrderStatus } from './types';

// Documents (exported so a unit test validates them against ../schema.graphql).
export const VIEWER_QUERY = `query Viewer { viewer { ${VIEWER_FIELDS} } }`;
export const MY_WORK_QUERY = `query MyWork { myWorkOrders { ${WORK_ORDER_FIELDS} } }`;
export const REVIEW_QUERY = `query Review { reviewQueue { ${WORK_ORDER_FIELDS} } }`;
export const WORK_ORDERS_QUERY = `query WorkOrders($status: WorkOrderStatus, $limit: Int!) {
  workOrders(status: $status, limit: $limit) { total items { ${WORK_ORDER_FIELDS} } } }`;
export const WORK_ORDER_QUERY = `query WorkOrder($id: ID!) { workOrder(id: $id) { ${WORK_ORDER_FIELDS} } }`;
export const SITES_QUERY = `query Sites($search: String, $limit: Int!) {
  sites(search: $search, limit: $limit) { total items { ${SITE_LIST_FIELDS} } } }`;
export const SITE_QUERY = `query Site($id: ID!) { site(id: $id) { ${SITE_FULL} } }`;
export const DEVICE_QUERY = `query Device($id: ID!) { device(id: $id) { ${DEVICE_FIELDS} } }`;
export const TECHNICIANS_QUERY = `query Technicians { technicians { ${USER_FIELDS} } }`;

export async function loadViewer(): Promise<Viewer> {
  const d = await gql<{ viewer: Viewer }>(VIEWER_QUERY);
  putViewer(d.viewer);
  return d.viewer;
}

export async function loadMyWorkOrders(): Promise<void> {
  const d = await gql<{ myWorkOrders: WorkOrder[] }>(MY_WORK_QUERY);
  putWorkOrders(d.myWorkOrders, 'myWorkOrders');
}

export async function loadReviewQueue(): Promise<void> {
  const d = await gql<{ reviewQueue: WorkOrder[] }>(REVIEW_QUERY);
  putWorkOrders(d.reviewQueue, 'reviewQueue');
}

export const workOrdersListKey = (status: WorkOrderStatus | null): string => `workOrders:${status ?? ''}`;

export async function loadWorkOrders(status: WorkOrderStatus | null, limit = 100): Promise<void> {
  const d = await gql<{ workOrders: { items: WorkOrder[]; total: number } }>(WORK_ORDERS_QUERY, { status, limit });
  putWorkOrders(d.workOrders.items, workOrdersListKey(status), d.workOrders.total);
}

/** Returns false when the server says the work order does not exist or is out of scope. */
export async function loadWorkOrder(id: string): Promise<boolean> {
  const d = await gql<{ workOrder: WorkOrder | null }>(WORK_ORDER_QUERY, { id });
  if (!d.workOrder) return false;
  putWorkOrders([d.workOrder]);
  return true;
}

export const sitesListKey = (search: string): string => `sites:${search.trim().toLocaleLowerCase('tr')}`;

export async function loadSites(search: string, limit = 100): Promise<void> {
  const d = await gql<{ sites: { items: Site[]; total: number } }>(SITES_QUERY, { search: search.trim() || null, limit });
  update((s) =>
    withList(
      withSites(s, d.sites.items),
      sitesListKey(search),
      d.sites.items.map((x) => x.id),
      d.sites.total,
    ),
  );
}

export async function loadSite(id: string): Promise<boolean> {
  const d = await gql<{ site: Site | null }>(SITE_QUERY, { id });
  if (!d.site) return false;
  const site = d.site;
  update((s) => withFetched(withSites(s, [site]), `site:${id}`));
  return true;
}

export async function loadDevice(id: string): Promise<boolean> {
  const d = await gql<{ device: Device | null }>(DEVICE_QUERY, {
    id,
  });
  if (!d.device) return false;
  const device = d.device;
  update((s) => withFetched(withDevices(s, [device]), `device:${id}`));
  return true;
}

export async function loadTechnicians(): Promise<void> {
  const d = await gql<{ technicians: User[] }>(TECHNICIANS_QUERY);
  update((s) => {
    const users = { ...s.users };
    for (const u of d.technicians) users[u.id] = { ...users[u.id], ...u };
    return withList(
      { ...s, users },
      'technicians',
      d.technicians.map((u) => u.id),
    );
  });
}
