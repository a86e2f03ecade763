/**
 * Diagnostics over GraphQL (online only: the server talks to the cameras). Results are kept in
 * memory per device so the device page can still show the last loaded copy when offline.
 */
import { putWorkOrders } from '../store/store';
import { gql } from './client';
import { OPERATION_ERROR, WORK_ORDER_FIELDS } from './fragments';
import type { OperationError, WorkOrder } from './types';

export interface CheckResult {
  check: string;
  label: string;
  verdict: string;
  message: string;
  evidence: unknown;
  durationMs: number;
}
export interface Diagnosis {
  id: string;
  deviceId: string;
  workOrderId: string | null;
  source: string;
  startedAt: string;
  finishedAt: string;
  overall: string;
  results: CheckResult[];
  deviceInfo: unknown;
  snapshotUrl: string | null;
  referenceUrl: string | null;
  /** Whose session recorded it (the pusher of a PROBE result); null for the scheduled sweeps. */
  requestedById?: string | null;
}
export interface CheckChange {
  check: string;
  label: string;
  at: string;
  before: string | null;
  after: string;
  message: string;
  diagnosisId: string;
}
export interface SiteHealth {
  siteId: string;
  siteCode: string;
  siteName: string;
  ok: number;
  warning: number;
  fail: number;
  unchecked: number;
}
export interface FirmwareBaseline {
  id: string;
  make: string;
  model: string;
  approvedFirmware: string;
  note: string;
  updatedAt: string;
}
export interface ReferenceImage {
  imageSha256: string;
  url: string;
  reason: string;
  setAt: string;
}

const DIAGNOSIS_FIELDS = `id deviceId workOrderId source startedAt finishedAt overall
  results { check label verdict message evidence durationMs } deviceInfo snapshotUrl referenceUrl requestedById`;
const PROPOSAL_FIELDS = `id deviceId assetTag diagnosisId diagnosisSource field oldValue proposedValue status
  proposedById createdAt decidedById decidedAt`;
const BASELINE_FIELDS = `id make model approvedFirmware note updatedAt`;

export const DIAGNOSE_MUTATION = `mutation Diagnose($deviceId: ID!, $workOrderId: ID) {
  diagnoseDevice(deviceId: $deviceId, workOrderId: $workOrderId) {
    __typename ... on DiagnosisSuccess { diagnosis { ${DIAGNOSIS_FIELDS} } } ${OPERATION_ERROR} } }`;
export const DEVICE_DIAGNOSES_QUERY = `query DeviceDiagnoses($deviceId: ID!, $limit: Int!) {
  deviceDiagnoses(deviceId: $deviceId, limit: $limit) { ${DIAGNOSIS_FIELDS} }
  deviceCheckChanges(deviceId: $deviceId) { check label at before after message diagnosisId }
  deviceReference(deviceId: $deviceId) { imageSha256 url reason setAt } }`;
export const HEALTH_QUERY = `query Health { healthOverview { siteId siteCode siteName ok warning fail unchecked } }`;
export const BASELINES_QUERY = `query Baselines { firmwareBaselines { ${BASELINE_FIELDS} } }`;
export const SET_BASELINE_MUTATION = `mutation SetBaseline($input: SetFirmwareBaselineInput!) {
  setFirmwareBaseline(input: $input) { __typename ... on FirmwareBaselineSuccess { baseline { ${BASELINE_FIELDS} } } ${OPERATION_ERROR} } }`;
export const SET_CREDENTIALS_MUTATION = `mutation SetCredentials($input: SetDeviceCredentialsInput!) {
  setDeviceCredentials(input: $input) { __typename ... on OkSuccess { ok } ${OPERATION_ERROR} } }`;
export const SET_REFERENCE_MUTATION = `mutation SetReference($input: SetReferenceImageInput!) {
  setReferenceImage(input: $input) { __typename ... on OkSuccess { ok } ${OPERATION_ERROR} } }`;
export const OPEN_FAULT_MUTATION = `mutation OpenFault($input: OpenFaultInput!) {
  openFaultFromDiagnosis(input: $input) { __typename ... on WorkOrderSuccess { workOrder { ${WORK_ORDER_FIELDS} } } ${OPERATION_ERROR} } }`;

export const PROPOSALS_QUERY = `query Proposals($deviceId: ID) {
  deviceChangeProposals(deviceId: $deviceId) { ${PROPOSAL_FIELDS} } }`;
export const ACCEPT_PROPOSAL_MUTATION = `mutation AcceptProposal($id: ID!) {
  acceptDeviceChangeProposal(proposalId: $id) { __typename ... on DeviceChangeProposalSuccess { proposal { ${PROPOSAL_FIELDS} } } ${OPERATION_ERROR} } }`;
export const REJECT_PROPOSAL_MUTATION = `mutation RejectProposal($id: ID!) {
  rejectDeviceChangeProposal(proposalId: $id) { __typename ... on DeviceChangeProposalSuccess { proposal { ${PROPOSAL_FIELDS} } } ${OPERATION_ERROR} } }`;

/** Either the value or the server's OperationError (code + message for people). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: OperationError };

export async function diagnoseDevice(deviceId: string, workOrderId: string | null): Promise<Outcome<Diagnosis>> {
  const d = await gql<{ diagnoseDevice: { __typename: 'DiagnosisSuccess'; diagnosis: Diagnosis } | OperationError }>(DIAGNOSE_MUTATION, {
    deviceId,
    workOrderId,
  });
  const r = d.diagnoseDevice;
  return r.__typename === 'OperationError' ? { ok: false, error: r } : { ok: true, value: r.diagnosis };
}

export interface DeviceHistory {
  diagnoses: Diagnosis[];
  changes: CheckChange[];
  reference: ReferenceImage | null;
  loadedAt: string;
}
const histories = new Map<string, DeviceHistory>();
export const cachedHistory = (deviceId: string): DeviceHistory | undefined => histories.get(deviceId);

export async function loadDeviceHistory(deviceId: string, limit = 30): Promise<DeviceHistory> {
  const d = await gql<{ deviceDiagnoses: Diagnosis[]; deviceCheckChanges: CheckChange[]; deviceReference: ReferenceImage | null }>(DEVICE_DIAGNOSES_QUERY, {
    deviceId,
    limit,
  });
  const h = { diagnoses: d.deviceDiagnoses, changes: d.deviceCheckChanges, reference: d.deviceReference, loadedAt: new Date().toISOString() };
  histories.set(deviceId, h);
  return h;
}

export async function loadHealthOverview(): Promise<SiteHealth[]> {
  return (await gql<{ healthOverview: SiteHealth[] }>(HEALTH_QUERY)).healthOverview;
}

export async function loadFirmwareBaselines(): Promise<FirmwareBaseline[]> {
  return (await gql<{ firmwareBaselines: FirmwareBaseline[] }>(BASELINES_QUERY)).firmwareBaselines;
}

export async function setFirmwareBaseline(input: { make: string; model: string; approvedFirmware: string; note: string }): Promise<Outcome<FirmwareBaseline>> {
  const d = await gql<{ setFirmwareBaseline: { __typename: 'FirmwareBaselineSuccess'; baseline: FirmwareBaseline } | OperationError }>(SET_BASELINE_MUTATION, {
    input,
  });
  const r = d.setFirmwareBaseline;
  return r.__typename === 'OperationError' ? { ok: false, error: r } : { ok: true, value: r.baseline };
}

type OkResult = { __typename: 'OkSuccess'; ok: boolean } | OperationError;
const ok = (r: OkResult): Outcome<true> => (r.__typename === 'OperationError' ? { ok: false, error: r } : { ok: true, value: true });

export async function setDeviceCredentials(deviceId: string, username: string, password: string): Promise<Outcome<true>> {
  return ok((await gql<{ setDeviceCredentials: OkResult }>(SET_CREDENTIALS_MUTATION, { input: { deviceId, username, password } })).setDeviceCredentials);
}

export async function setReferenceImage(deviceId: string, imageSha256: string, reason: string): Promise<Outcome<true>> {
  return ok((await gql<{ setReferenceImage: OkResult }>(SET_REFERENCE_MUTATION, { input: { deviceId, imageSha256, reason } })).setReferenceImage);
}

/** Opens the fault work order and puts it into the store (the next pull brings it too). */
export async function openFaultFromDiagnosis(diagnosisId: string, workOrderId: string): Promise<Outcome<WorkOrder>> {
  const d = await gql<{ openFaultFromDiagnosis: { __typename: 'WorkOrderSuccess'; workOrder: WorkOrder } | OperationError }>(OPEN_FAULT_MUTATION, {
    input: { diagnosisId, workOrderId },
  });
  const r = d.openFaultFromDiagnosis;
  if (r.__typename === 'OperationError') return { ok: false, error: r };
  putWorkOrders([r.workOrder]);
  return { ok: true, value: r.workOrder };
}

/** An inventory value a diagnosis reported, waiting for someone with `devices.manage` to decide. */
export interface DeviceChangeProposal {
  id: string;
  deviceId: string;
  assetTag: string;
  diagnosisId: string;
  diagnosisSource: string;
  /** make, model, serialNumber, firmware */
  field: string;
  oldValue: string;
  proposedValue: string;
  status: 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'SUPERSEDED';
  proposedById: string | null;
  createdAt: string;
  decidedById: string | null;
  decidedAt: string | null;
}

/** Pending proposals (of one device, or of every device the manager sees). Online only. */
export async function loadProposals(deviceId: string | null): Promise<DeviceChangeProposal[]> {
  return (await gql<{ deviceChangeProposals: DeviceChangeProposal[] }>(PROPOSALS_QUERY, { deviceId })).deviceChangeProposals;
}

type ProposalResult = { __typename: 'DeviceChangeProposalSuccess'; proposal: DeviceChangeProposal } | OperationError;

export async function decideProposal(id: string, accept: boolean): Promise<Outcome<DeviceChangeProposal>> {
  const r = accept
    ? (await gql<{ acceptDeviceChangeProposal: ProposalResult }>(ACCEPT_PROPOSAL_MUTATION, { id })).acceptDeviceChangeProposal
    : (await gql<{ rejectDeviceChangeProposal: ProposalResult }>(REJECT_PROPOSAL_MUTATION, { id })).rejectDeviceChangeProposal;
  return r.__typename === 'OperationError' ? { ok: false, error: r } : { ok: true, value: r.proposal };
}
