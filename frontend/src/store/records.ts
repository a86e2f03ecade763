/**
 * What the store holds: entities normalized by id, as the server sends them (GraphQL loads and
 * `syncPull` pages), plus named lists and fetch times.
 */
import type { Device, IpBlock, Region, Site, User, Viewer, WorkOrder, WorkOrderEvent } from '../api/types';
import type { Conclusion, MinutesStatus, SignatureMethod, SignerRole, SurveyStatus } from '../generated/rules';

export type { Conclusion, MinutesStatus, SignatureMethod, SignerRole, SurveyStatus };

export interface WorkOrderEventRecord extends Omit<WorkOrderEvent, 'actor'> {
  actorId: string | null;
  workOrderId?: string;
  seq?: number;
  /** Optimistic line from a queued command (not on the server yet). */
  pending?: boolean;
}
export interface WorkOrderRecord extends Omit<WorkOrder, 'site' | 'devices' | 'assignee' | 'createdBy' | 'timeline' | 'allowedActions'> {
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
export type EntityMapKey = (typeof ENTITY_MAPS)[EntityType];

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

export interface SyncChange {
  entity: string;
  id: string;
  version: number;
  op: 'UPSERT' | 'DELETE';
  data: Record<string, unknown> | null;
}
