import type { CommandInputs, CommandName as ServerCommandName, Priority, SignerRole } from '../generated/rules';
import type { PinBox } from '../lib/signing';

/**
 * Command catalogue: every write the PWA makes is a named command with plain-JSON (camelCase) args,
 * exactly as `syncPush` takes them (docs/sync-protocol.md). Their shapes are the server's input
 * models (src/generated/rules.ts, `make generate`); strings are trimmed before dispatch — the
 * server trims them, and the minutes' content built here must equal the one built there.
 */
export type { Priority, SignerRole };

/** The commands the PWA queues in its outbox (never an online-only one: the sync refuses those). */
export const COMMAND_NAMES = [
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
] as const satisfies readonly ServerCommandName[];
export type CommandName = (typeof COMMAND_NAMES)[number];

export type SignatureProof = { kind: 'passkey'; credential: Record<string, unknown> } | { kind: 'pin'; box: PinBox };

/**
 * What the phone always sends although the server would take less: the ids it chooses itself
 * (the optimistic record and a replay then name the same row) and a signature proof of its own kind.
 */
interface ClientChosen {
  'workorder.create': { id: string };
  'survey.request': { id: string; workOrderId: string };
  'survey.recordApproval': { installationWorkOrderId: string };
  'minutes.sign': { proof: SignatureProof };
}

export type CommandArgs = {
  [N in CommandName]: N extends keyof ClientChosen ? Omit<CommandInputs[N], keyof ClientChosen[N]> & ClientChosen[N] : CommandInputs[N];
};

/** `survey.update`'s optional fields (only the changed ones are sent). */
export type SurveyFields = Omit<CommandArgs['survey.update'], 'surveyId'>;
/** A survey point's fields (`survey.addPoint` without its ids). */
export type PointFields = Omit<CommandArgs['survey.addPoint'], 'id' | 'surveyId'>;

export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
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

/** The fields of an args object that are set: the server ignores missing and null ones. */
export function setFields<T extends object>(fields: T): { [K in keyof T]?: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null)) as { [K in keyof T]?: Exclude<T[K], null> };
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
