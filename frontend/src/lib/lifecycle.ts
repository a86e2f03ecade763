/**
 * The work-order lifecycle as the PWA applies it: the table is generated from
 * backend/domain/workorders/rules.py; these functions mirror `allowed_actions` and
 * `check_editable` there, and tests/fixtures/rules_vectors.json pins both.
 */
import type { Viewer } from '../api/types';
import {
  WORK_ORDER_ACTIONS,
  WORK_ORDER_EDITABLE,
  WORK_ORDER_TRANSITIONS,
  type Transition,
  type WorkOrderAction,
  type WorkOrderStatus,
} from '../generated/rules';
import { can, seesEverything } from './permissions';

/** What the viewer may do with a work order in its current state (`allowed_actions`). */
export function allowedActionsFor(wo: { status: WorkOrderStatus; assigneeId: string | null }, viewer: Viewer | null | undefined): WorkOrderAction[] {
  if (!viewer) return [];
  const mine = wo.assigneeId === viewer.user.id;
  return WORK_ORDER_ACTIONS.filter((action) => {
    const tr = WORK_ORDER_TRANSITIONS[action];
    if (!can(viewer, tr.permission)) return false;
    if (tr.who === 'ASSIGNEE' && !mine) return false;
    if (tr.who === 'ASSIGNEE_OR_SUPERVISOR' && !mine && !seesEverything(viewer)) return false;
    return tr.sources.includes(wo.status);
  });
}

/** The lifecycle step a command performs (`workorder.start` → START), if it is one. */
export function transitionOf(command: string): Transition | undefined {
  return WORK_ORDER_ACTIONS.map((a) => WORK_ORDER_TRANSITIONS[a]).find((tr) => tr.command === command);
}

/** Fields and attachments change only until the work is submitted (`check_editable`). */
export const isEditable = (status: string): boolean => (WORK_ORDER_EDITABLE as readonly string[]).includes(status);

/** Why an edit of a work order in `status` is refused: the server's error code, or null. */
export function editRefusal(status: string): 'WORKORDER_CLOSED' | 'WORKORDER_FROZEN' | null {
  if (status === 'CLOSED') return 'WORKORDER_CLOSED';
  return isEditable(status) ? null : 'WORKORDER_FROZEN';
}
