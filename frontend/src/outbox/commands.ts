/**
 * Command catalogue: every write the PWA makes is a named command with plain-JSON args.
 * Names follow docs/api-contract.md ("workorder.start", ...). Issue 3 stores these same
 * envelopes in an IndexedDB outbox; keep args serialisable (no closures, no Dates).
 */
export type Priority = 'LOW' | 'NORMAL' | 'HIGH' | 'URGENT';

export interface CommandArgs {
  'workorder.create': {
    type: string;
    title: string;
    description: string;
    siteId: string;
    deviceIds: string[];
    priority: Priority;
    dueOn: string | null;
    assigneeId: string | null;
  };
  'workorder.assign': { workOrderId: string; assigneeId: string };
  'workorder.start': { workOrderId: string };
  'workorder.addNote': { workOrderId: string; text: string };
  'workorder.submit': { workOrderId: string; summary: string };
  'workorder.approve': { workOrderId: string; comment: string };
  'workorder.return': { workOrderId: string; reason: string };
  'workorder.close': { workOrderId: string };
}
export type CommandName = keyof CommandArgs;

export interface CommandSpec {
  /** Mutation field on the GraphQL Mutation type. */
  mutation: string;
  /** GraphQL input type name of its `input` argument. */
  inputType: string;
}

export const COMMANDS: Record<CommandName, CommandSpec> = {
  'workorder.create': { mutation: 'createWorkOrder', inputType: 'CreateWorkOrderInput' },
  'workorder.assign': { mutation: 'assignWorkOrder', inputType: 'AssignWorkOrderInput' },
  'workorder.start': { mutation: 'startWorkOrder', inputType: 'WorkOrderRefInput' },
  'workorder.addNote': { mutation: 'addWorkOrderNote', inputType: 'AddWorkOrderNoteInput' },
  'workorder.submit': { mutation: 'submitWorkOrder', inputType: 'SubmitWorkOrderInput' },
  'workorder.approve': { mutation: 'approveWorkOrder', inputType: 'ApproveWorkOrderInput' },
  'workorder.return': { mutation: 'returnWorkOrder', inputType: 'ReturnWorkOrderInput' },
  'workorder.close': { mutation: 'closeWorkOrder', inputType: 'WorkOrderRefInput' },
};

export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name);
}

/**
 * One queued write, as the IndexedDB outbox (next issue) will store it and `syncPush` will send it.
 * Plain JSON only. `baseVersions` records the entity versions the user saw (conflict detection).
 */
export interface Envelope<N extends CommandName = CommandName> {
  mutationId: string;
  name: N;
  args: CommandArgs[N];
  baseVersions: Record<string, number>;
  createdAt: string;
}

function newId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

export function makeEnvelope<N extends CommandName>(
  name: N,
  args: CommandArgs[N],
  baseVersions: Record<string, number> = {},
  now: Date = new Date(),
): Envelope<N> {
  // Round-trip through JSON: drops undefined, rejects anything that would not survive storage.
  const plain = JSON.parse(JSON.stringify(args)) as CommandArgs[N];
  return { mutationId: newId(), name, args: plain, baseVersions, createdAt: now.toISOString() };
}
