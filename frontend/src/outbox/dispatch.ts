/**
 * The single write path of the PWA: `dispatch(commandName, args)`.
 *
 * Today it maps the command to its GraphQL mutation, sends it, and on `WorkOrderSuccess`
 * puts the returned work order into the store. On `OperationError` it returns the typed
 * error (with the server's localised message) for the screen to show.
 *
 * Next issue: this becomes "append envelope {mutationId, name, args, baseVersions} to the
 * IndexedDB outbox, apply optimistically to the store, push when online". Callers won't change.
 */
import { GraphQLRequestError, NetworkError, SessionExpiredError, gql } from '../api/client';
import { OPERATION_ERROR, WORK_ORDER_FIELDS } from '../api/fragments';
import type { OperationError, WorkOrder } from '../api/types';
import { t } from '../i18n';
import { getState, putWorkOrders } from '../store/store';
import { COMMANDS, isCommandName, makeEnvelope, type CommandArgs, type CommandName } from './commands';

/** Client-side error codes (not from the server catalogue). */
export const CLIENT_ERROR = {
  offline: 'CLIENT_OFFLINE',
  network: 'CLIENT_NETWORK',
  session: 'AUTH_SESSION_EXPIRED',
  unknownCommand: 'CLIENT_UNKNOWN_COMMAND',
  unexpected: 'CLIENT_UNEXPECTED',
} as const;

export type DispatchResult =
  | { ok: true; workOrder: WorkOrder }
  | { ok: false; error: Pick<OperationError, 'code' | 'message' | 'field'> };

export function mutationFor(name: CommandName): string {
  const spec = COMMANDS[name];
  return `mutation Command($input: ${spec.inputType}!) {
  result: ${spec.mutation}(input: $input) {
    __typename
    ... on WorkOrderSuccess { workOrder { ${WORK_ORDER_FIELDS} } }
    ${OPERATION_ERROR}
  }
}`;
}

type MutationResult = { __typename: 'WorkOrderSuccess'; workOrder: WorkOrder } | OperationError;

const fail = (code: string, message: string, field: string | null = null): DispatchResult => ({
  ok: false,
  error: { code, message, field },
});

export async function dispatch<N extends CommandName>(name: N, args: CommandArgs[N]): Promise<DispatchResult> {
  if (!isCommandName(name)) return fail(CLIENT_ERROR.unknownCommand, t('error.unexpected'));
  // The same envelope the outbox will store; today it is sent at once.
  const woId = (args as { workOrderId?: string }).workOrderId;
  const base = woId ? getState().workOrders[woId]?.version : undefined;
  const envelope = makeEnvelope(name, args, woId && base !== undefined ? { [`workOrder:${woId}`]: base } : {});
  try {
    const data = await gql<{ result: MutationResult }>(mutationFor(envelope.name), { input: envelope.args });
    const r = data.result;
    if (r.__typename === 'WorkOrderSuccess') {
      putWorkOrders([r.workOrder]);
      return { ok: true, workOrder: r.workOrder };
    }
    return fail(r.code, r.message, r.field ?? null);
  } catch (e) {
    if (e instanceof NetworkError) {
      // The failed fetch already flipped the indicator; navigator.onLine tells "no network" apart.
      return typeof navigator !== 'undefined' && navigator.onLine
        ? fail(CLIENT_ERROR.network, t('error.network'))
        : fail(CLIENT_ERROR.offline, t('error.offlineWrite'));
    }
    if (e instanceof SessionExpiredError) return fail(CLIENT_ERROR.session, t('error.sessionExpired'));
    if (e instanceof GraphQLRequestError) return fail(e.code ?? CLIENT_ERROR.unexpected, e.message);
    return fail(CLIENT_ERROR.unexpected, t('error.unexpected'));
  }
}
