/** Shapes returned by the Saha GraphQL API (see schema.graphql at the repository root). */
import { ENUMS, type Role, type WorkOrderAction, type WorkOrderStatus } from '../generated/rules';

// The domain enums come from the server's code (src/generated/rules.ts, `make generate`).
export type { Role, WorkOrderAction, WorkOrderStatus };
export const WORK_ORDER_STATUSES: readonly WorkOrderStatus[] = ENUMS.WorkOrderStatus;

export interface Region {
  id: string;
  name: string;
}
export interface User {
  id: string;
  username: string;
  fullName: string;
  role: Role;
  region?: Region | null;
}
export interface Viewer {
  user: User;
  permissions: string[];
}
export interface Session {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  viewer: Viewer;
}
export interface IpBlock {
  id: string;
  cidr: string;
  description: string;
}
export interface Site {
  id: string;
  code: string;
  name: string;
  kind: string;
  district: string;
  address?: string;
  latitude?: number | null;
  longitude?: number | null;
  recordingLocation?: string;
  region?: Region | null;
  ipBlocks?: IpBlock[];
  devices?: Device[];
  deviceCount?: number;
}
export interface Device {
  id: string;
  site?: Site;
  kind: string;
  assetTag: string;
  make: string;
  model: string;
  serialNumber?: string;
  firmware?: string;
  ipAddress?: string | null;
  onvifPort?: number | null;
  installedOn?: string | null;
  status: string;
  isPublicCityWatch?: boolean;
  areaType?: string | null;
}
/** One edited field on the timeline: old → new value, in GraphQL spelling (HIGH, ISO dates). */
export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}
export interface WorkOrderEvent {
  id: string;
  at: string;
  actor: User | null;
  kind: string;
  fromStatus: WorkOrderStatus | null;
  toStatus: WorkOrderStatus | null;
  text: string | null;
  /** EDITED: each field's old and new value (empty for other kinds, and for events before values were kept). */
  changes?: FieldChange[];
}
export interface WorkOrder {
  id: string;
  number: string;
  type: string;
  status: WorkOrderStatus;
  title: string;
  description: string;
  priority: string;
  site: Site;
  devices: Device[];
  assignee: User | null;
  createdBy: User | null;
  dueOn: string | null;
  createdAt: string;
  updatedAt: string;
  returnReason: string | null;
  version: number;
  timeline: WorkOrderEvent[];
  allowedActions: WorkOrderAction[];
}
export interface OperationError {
  __typename: 'OperationError';
  code: string;
  message: string;
  field: string | null;
}
