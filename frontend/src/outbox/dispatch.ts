/**
 * The single write path of the PWA: `dispatch(commandName, args)`.
 *
 * It writes the envelope {clientId, seq, mutationId, name, args, baseVersions, blobRefs} to the
 * IndexedDB outbox (seq allocated in the same transaction), the store applies it optimistically at
 * once (overlay), and the push loop is nudged. It returns as soon as the command is saved on the
 * device; the server's verdict shows on the sync screen (and a rejection rolls the change back).
 */
import type { OperationError } from '../api/types';
import { t } from '../i18n';
import { checkArgs } from '../lib/args';
import { renderError } from '../lib/errors';
import { areaRule, trimArgs } from '../lib/survey';
import { EDIT_FIELDS } from '../lib/wo-fields';
import { getBaseState, setOverlay } from '../store/store';
import { isCommandName, type CommandArgs, type CommandName, type OutboxItem } from './commands';
import { applyPending } from './optimistic';
import { enqueue, getClientId, getItems, onOutboxChange } from './outbox';

/** Client-side error codes (not from the server catalogue). */
export const CLIENT_ERROR = {
  offline: 'CLIENT_OFFLINE',
  network: 'CLIENT_NETWORK',
  session: 'AUTH_SESSION_EXPIRED',
  unknownCommand: 'CLIENT_UNKNOWN_COMMAND',
  noClient: 'CLIENT_NOT_READY',
  storage: 'CLIENT_STORAGE',
  invalid: 'CLIENT_INVALID',
  unexpected: 'CLIENT_UNEXPECTED',
} as const;

export type DispatchResult = { ok: true; item: OutboxItem } | { ok: false; error: Pick<OperationError, 'code' | 'message' | 'field'> };

const fail = (code: string, message: string, field: string | null = null): DispatchResult => ({
  ok: false,
  error: { code, message, field },
});

let kick: () => void = () => undefined;
/** The sync engine registers how to wake the push loop. */
export function setKick(fn: () => void): void {
  kick = fn;
}

let unwire: (() => void) | null = null;
/** Keeps the store's overlay equal to the outbox (call at start; idempotent). */
export function wireOverlay(): void {
  unwire?.();
  setOverlay((s) => applyPending(s, getItems()));
  unwire = onOutboxChange((items) => setOverlay((s) => applyPending(s, items)));
}

/** Checks the client can tell without the server (the server checks everything again). */
function localCheck<N extends CommandName>(name: N, args: CommandArgs[N]): DispatchResult | null {
  const a = args as Record<string, unknown>;
  const text = (k: string): string => {
    const v = a[k];
    return typeof v === 'string' ? v : '';
  };
  if (name === 'workorder.addNote' && !text('text').trim()) return fail(CLIENT_ERROR.invalid, t('form.noteRequired'), 'text');
  if (name === 'workorder.return' && !text('reason').trim()) return fail(CLIENT_ERROR.invalid, t('form.reasonRequired'), 'reason');
  const short = (k: string) => text(k).length < 2;
  if ((name === 'survey.addPoint' || name === 'survey.updatePoint') && a.areaType !== undefined) {
    const rule = areaRule(text('areaType'));
    if (rule?.kind === 'forbidden') return fail(CLIENT_ERROR.invalid, rule.message, 'areaType');
  }
  if (name === 'survey.addPoint' && short('place')) return fail(CLIENT_ERROR.invalid, t('survey.placeRequired'), 'place');
  if ((name === 'minutes.withdraw' || name === 'survey.correct') && short('reason')) return fail(CLIENT_ERROR.invalid, t('survey.reasonRequired'), 'reason');
  if (name === 'survey.request') {
    if (short('requestingUnit')) return fail(CLIENT_ERROR.invalid, t('survey.unitRequired'), 'requestingUnit');
    if (short('reason')) return fail(CLIENT_ERROR.invalid, t('survey.reasonRequired'), 'reason');
  }
  if (name === 'survey.recordApproval' && short('olurReference')) return fail(CLIENT_ERROR.invalid, t('survey.olurRequired'), 'olurReference');
  if (name === 'workorder.update') {
    if (a.title !== undefined && !text('title').trim()) return fail(CLIENT_ERROR.invalid, t('form.titleRequired'), 'title');
    if (!EDIT_FIELDS.some((f) => a[f] !== undefined)) return fail(CLIENT_ERROR.invalid, t('form.noChanges'), null);
  }
  // Everything else the server's input model would refuse (src/generated/rules.ts).
  const refused = checkArgs(name, a);
  if (refused) {
    console.warn(`${name}: ${refused.field} ${refused.reason}`);
    return fail(CLIENT_ERROR.invalid, renderError('VALIDATION_FAILED', { detail: refused.field ?? '' }), refused.field);
  }
  return null;
}

export async function dispatch<N extends CommandName>(
  name: N,
  args: CommandArgs[N],
  opts: { blobRefs?: string[]; baseVersions?: Record<string, number> } = {},
): Promise<DispatchResult> {
  if (!isCommandName(name)) return fail(CLIENT_ERROR.unknownCommand, t('error.unexpected'));
  // The server trims strings; sending them trimmed keeps the local view (and minutes) equal to it.
  args = trimArgs(args);
  const invalid = localCheck(name, args);
  if (invalid) return invalid;
  const clientId = getClientId();
  if (!clientId) return fail(CLIENT_ERROR.noClient, t('error.unexpected'));
  // Base versions: the server version of the entity the user saw when starting this edit. Field
  // edits (workorder.update) pass the version captured when the form opened; for everything else
  // (and as a fallback) it is the server copy's version now.
  const woId = (args as { workOrderId?: string }).workOrderId;
  const base = woId ? getBaseState().workOrders[woId]?.version : undefined;
  const baseVersions = opts.baseVersions ? { ...opts.baseVersions } : woId && base !== undefined ? { [`workOrder:${woId}`]: base } : {};
  try {
    const item = await enqueue(clientId, name, args, { baseVersions, blobRefs: opts.blobRefs ?? [] });
    kick();
    return { ok: true, item };
  } catch (e) {
    console.warn('outbox write failed', e);
    return fail(CLIENT_ERROR.storage, t('error.storage'));
  }
}
