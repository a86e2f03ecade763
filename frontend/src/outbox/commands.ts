import type { PinBox } from '../lib/signing';

/**
 * Command catalogue: every write the PWA makes is a named command with plain-JSON (camelCase) args,
 * exactly as `syncPush` takes them (docs/sync-protocol.md).
 */
export type Priority = 'LOW' | 'NORMAL' | 'HIGH' | 'URGENT';

export interface CommandArgs {
  'workorder.create': {
    id: string;
    type: string;
    title: string;
    description?: string;
    siteId: string;
    deviceIds?: string[];
    priority?: Priority;
    dueOn?: string | null;
    assigneeId?: string | null;
  };
  'workorder.assign': { workOrderId: string; assigneeId: string };
  'workorder.start': { workOrderId: string };
  'workorder.addNote': { workOrderId: string; text: string };
  'workorder.submit': { workOrderId: string; summary?: string };
  'workorder.approve': { workOrderId: string; comment?: string };
  'workorder.return': { workOrderId: string; reason: string };
  'workorder.close': { workOrderId: string };
  'workorder.update': { workOrderId: string; title?: string; description?: string; priority?: Priority; dueOn?: string | null };
  'workorder.attach': {
    id: string;
    workOrderId: string;
    blobSha256: string;
    contentType: string;
    kind: 'photo' | 'document';
    caption?: string | null;
  };
  'conflict.resolve': { conflictId: string; choice: 'keep_server' | 'take_client' };
  // Joint surveys and minutes (docs/surveys.md). Strings are trimmed before dispatch: the server
  // trims them, and the minutes' content built here must equal the one built there.
  'survey.request': {
    id: string;
    workOrderId: string;
    siteId: string;
    reason: string;
    requestingUnit: string;
    unitHeadId: string;
    technicianId: string;
    securityId: string;
    dueOn?: string | null;
  };
  'survey.update': { surveyId: string } & SurveyFields;
  'survey.addPoint': { id: string; surveyId: string } & PointFields;
  'survey.updatePoint': { pointId: string } & Partial<PointFields>;
  'survey.removePoint': { pointId: string };
  'minutes.create': { id: string; surveyId: string; contentHash: string };
  'minutes.sign': {
    id: string;
    minutesId: string;
    role: SignerRole;
    signerId: string;
    imageSha256: string;
    contentHash: string;
    signedAt: string;
    /** The signer's passkey assertion (own phone) or their PIN sealed to the server (lib/signing.ts). */
    proof: SignatureProof;
  };
  'minutes.withdraw': { minutesId: string; reason: string };
  'survey.correct': { surveyId: string; reason: string };
  'survey.recordApproval': { surveyId: string; olurReference: string; olurDate: string; installationWorkOrderId: string };
  'passkey.revoke': { passkeyId: string };
}

export type SignatureProof = { kind: 'passkey'; credential: Record<string, unknown> } | { kind: 'pin'; box: PinBox };

export type SignerRole = 'TECHNICIAN' | 'SECURITY' | 'UNIT_HEAD';

/** `survey.update`'s optional fields (only the changed ones are sent). */
export interface SurveyFields {
  surveyDate?: string;
  recordingLocation?: string;
  recordingNote?: string;
  infrastructureNeeds?: string;
  cablingNeeds?: string;
  signsNeeded?: number;
  signsNote?: string;
  conclusion?: 'FAVOURABLE' | 'UNFAVOURABLE';
  conclusionNote?: string;
}

export interface PointFields {
  position: number;
  place: string;
  areaType: string;
  mounting: string;
  viewDirection?: string;
  photos?: string[];
  latE6?: number | null;
  lonE6?: number | null;
  accuracyM?: number | null;
}
export type CommandName = keyof CommandArgs;

export const COMMAND_NAMES: CommandName[] = [
  'workorder.create',
  'workorder.assign',
  'workorder.start',
  'workorder.addNote',
  'workorder.submit',
  'workorder.approve',
  'workorder.return',
  'workorder.close',
  'workorder.update',
  'workorder.attach',
  'conflict.resolve',
  'survey.request',
  'survey.update',
  'survey.addPoint',
  'survey.updatePoint',
  'survey.removePoint',
  'minutes.create',
  'minutes.sign',
  'minutes.withdraw',
  'survey.correct',
  'survey.recordApproval',
  'passkey.revoke',
];

export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as string[]).includes(name);
}

/** What `syncPush` receives for one command. */
export interface Envelope<N extends CommandName = CommandName> {
  seq: number;
  mutationId: string;
  name: N;
  args: CommandArgs[N];
  baseVersions: Record<string, number>;
  blobRefs: string[];
}

/** saved (in IndexedDB) → queued (waiting for the network) → sent (request out) → confirmed | rejected. */
export type ItemState = 'saved' | 'queued' | 'sent' | 'confirmed' | 'rejected';

/** One outbox row in IndexedDB (key [clientId, seq]). */
export interface OutboxItem<N extends CommandName = CommandName> extends Envelope<N> {
  clientId: string;
  createdAt: string;
  updatedAt: string;
  state: ItemState;
  /** The server's refusal (REJECTED), with its Turkish/English message. */
  error?: { code: string | null; message: string; field: string | null };
  result?: unknown;
  confirmedAt?: string;
  /** A pull finished after the confirmation: the server copy now holds the change. */
  settled?: boolean;
}

export const PENDING_STATES: ItemState[] = ['saved', 'queued', 'sent'];
export const isPending = (it: Pick<OutboxItem, 'state'>): boolean => PENDING_STATES.includes(it.state);

export function newId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const h = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

/** Round-trip through JSON: drops undefined, rejects anything that would not survive storage. */
export function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export function toEnvelope(it: OutboxItem): Envelope {
  return {
    seq: it.seq,
    mutationId: it.mutationId,
    name: it.name,
    args: it.args,
    baseVersions: it.baseVersions,
    blobRefs: it.blobRefs,
  };
}
