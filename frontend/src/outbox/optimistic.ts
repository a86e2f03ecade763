/**
 * Optimistic apply: what a queued command does to the local state until the server answers.
 * Pure functions (state in, state out); the store applies them as its overlay on top of the
 * server layer, so a rejected command just stops being applied (rollback), and the next pull
 * brings the server's copy.
 */
import type { WorkOrderStatus } from '../api/types';
import { transitionOf } from '../lib/lifecycle';
import { surveyField, surveyFieldValue } from '../lib/survey';
import { editField, fieldValue } from '../lib/wo-fields';
import type { State, WorkOrderEventRecord, WorkOrderRecord } from '../store/store';
import { isPending, setFields, type CommandArgs, type OutboxItem } from './commands';
import { applySurveyItem } from './survey-apply';

/** Commands still shaping the local view: pending ones, and confirmed ones until a pull settles them. */
export const inOverlay = (it: OutboxItem): boolean => isPending(it) || (it.state === 'confirmed' && !it.settled);

function event(
  it: OutboxItem,
  workOrderId: string,
  kind: string,
  from: WorkOrderStatus | null,
  to: WorkOrderStatus | null,
  text: string | null,
  actorId: string | null,
): WorkOrderEventRecord {
  return { id: `pending:${it.mutationId}`, workOrderId, at: it.createdAt, actorId, kind, fromStatus: from, toStatus: to, text, pending: true };
}

function withWo(s: State, id: string, patch: Partial<WorkOrderRecord>): State {
  const wo = s.workOrders[id];
  if (!wo) return s;
  return { ...s, workOrders: { ...s.workOrders, [id]: { ...wo, ...patch } } };
}

function withEvent(s: State, e: WorkOrderEventRecord): State {
  return { ...s, events: { ...s.events, [e.id]: e } };
}

export function applyItem(s: State, it: OutboxItem): State {
  const actorId = s.viewer?.user.id ?? null;
  // A lifecycle step that moves the status (the generated table of backend/domain/workorders/rules.py).
  const tr = transitionOf(it.name);
  if (tr?.target) {
    const a = it.args as { workOrderId: string; summary?: string; reason?: string; comment?: string; assigneeId?: string };
    const wo = s.workOrders[a.workOrderId];
    if (!wo) return s;
    const text = a.summary || a.reason || a.comment || null;
    const patch: Partial<WorkOrderRecord> = { status: tr.target, allowedActions: undefined, updatedAt: it.createdAt };
    if (it.name === 'workorder.return') patch.returnReason = a.reason ?? null;
    if (it.name === 'workorder.approve') patch.returnReason = null;
    if (it.name === 'workorder.assign') patch.assigneeId = a.assigneeId ?? null;
    if (it.name === 'workorder.submit') patch.submittedAt = it.createdAt;
    return withEvent(withWo(s, wo.id, patch), event(it, wo.id, tr.event, wo.status, tr.target, text, actorId));
  }
  switch (it.name) {
    case 'workorder.addNote': {
      const a = it.args as CommandArgs['workorder.addNote'];
      const wo = s.workOrders[a.workOrderId];
      if (!wo) return s;
      return withEvent(s, event(it, wo.id, 'NOTE', wo.status, wo.status, a.text, actorId));
    }
    case 'workorder.update': {
      const { workOrderId, ...edits } = it.args as CommandArgs['workorder.update'];
      const wo = s.workOrders[workOrderId];
      if (!wo) return s;
      const fields = setFields(edits); // the server leaves a field given as null alone
      const names = Object.keys(fields);
      const out = withWo(s, workOrderId, { ...fields, updatedAt: it.createdAt, allowedActions: wo.allowedActions });
      return withEvent(out, event(it, workOrderId, 'EDITED', wo.status, wo.status, names.join(', '), actorId));
    }
    case 'workorder.attach': {
      const a = it.args as CommandArgs['workorder.attach'];
      if (s.attachments[a.id]) return s;
      return {
        ...s,
        attachments: {
          ...s.attachments,
          [a.id]: {
            id: a.id,
            workOrderId: a.workOrderId,
            kind: (a.kind ?? 'PHOTO').toUpperCase(),
            blobSha256: a.blobSha256,
            contentType: a.contentType,
            caption: a.caption ?? null,
            createdById: actorId,
            createdAt: it.createdAt,
            pending: true,
          },
        },
      };
    }
    case 'conflict.resolve': {
      const a = it.args as CommandArgs['conflict.resolve'];
      const c = s.conflicts[a.conflictId];
      if (!c) return s;
      let out: State = {
        ...s,
        conflicts: {
          ...s.conflicts,
          [c.id]: { ...c, resolvedAt: it.createdAt, resolvedById: actorId, resolution: a.choice === 'take_client' ? 'took_client' : 'kept_server' },
        },
      };
      if (a.choice === 'take_client' && c.entity === 'workOrder') {
        out = withWo(out, c.entityId, { [editField(c.field)]: fieldValue(c.field, c.clientValue) });
      }
      if (a.choice === 'take_client' && c.entity === 'survey' && out.surveys[c.entityId]) {
        const sv = out.surveys[c.entityId];
        out = { ...out, surveys: { ...out.surveys, [sv.id]: { ...sv, [surveyField(c.field)]: surveyFieldValue(c.field, c.clientValue) } } };
      }
      return out;
    }
    case 'workorder.create': {
      const a = it.args as CommandArgs['workorder.create'];
      if (s.workOrders[a.id]) return s;
      const rec: WorkOrderRecord = {
        id: a.id,
        number: '…',
        type: a.type,
        status: a.assigneeId ? 'ASSIGNED' : 'DRAFT',
        title: a.title,
        description: a.description ?? '',
        priority: a.priority ?? 'NORMAL',
        siteId: a.siteId,
        deviceIds: a.deviceIds ?? [],
        assigneeId: a.assigneeId ?? null,
        createdById: actorId,
        dueOn: a.dueOn ?? null,
        createdAt: it.createdAt,
        updatedAt: it.createdAt,
        returnReason: null,
        version: 0,
        timeline: [],
      };
      return { ...s, workOrders: { ...s.workOrders, [a.id]: rec } };
    }
    default:
      return applySurveyItem(s, it) ?? s;
  }
}

/** The overlay: every command still in flight, in seq order. */
export function applyPending(s: State, items: OutboxItem[]): State {
  let out = s;
  for (const it of items) if (inOverlay(it)) out = applyItem(out, it);
  return out;
}
