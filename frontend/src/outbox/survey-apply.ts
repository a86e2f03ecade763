/**
 * Optimistic apply of the survey and minutes commands (docs/surveys.md): what the phone shows
 * until the server answers. Pure, like `optimistic.ts`, which calls `applySurveyItem` for these.
 */
import { buildContent, canonicalJson, nextRevision, TEMPLATE, verificationCode, type Json } from '../lib/minutes';
import { fillText, textDay } from '../lib/wo-texts';
import type { State, SurveyRecord, WorkOrderRecord } from '../store/store';
import { setFields, type CommandArgs, type OutboxItem } from './commands';

export const SURVEY_COMMANDS = new Set<OutboxItem['name']>([
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
]);

function withSurvey(s: State, id: string, patch: Partial<SurveyRecord>): State {
  const sv = s.surveys[id];
  if (!sv) return s;
  return { ...s, surveys: { ...s.surveys, [id]: { ...sv, ...patch } } };
}

function newWorkOrder(
  it: OutboxItem,
  fields: Pick<WorkOrderRecord, 'id' | 'type' | 'status' | 'title' | 'description' | 'siteId' | 'assigneeId' | 'dueOn'>,
  actorId: string | null,
): WorkOrderRecord {
  return {
    number: '…',
    priority: 'NORMAL',
    deviceIds: [],
    createdById: actorId,
    createdAt: it.createdAt,
    updatedAt: it.createdAt,
    returnReason: null,
    version: 0,
    timeline: [],
    ...fields,
  };
}

/** The state with one survey/minutes command applied, or null when `it` is not one of them. */
export function applySurveyItem(s: State, it: OutboxItem): State | null {
  if (!SURVEY_COMMANDS.has(it.name)) return null;
  const actorId = s.viewer?.user.id ?? null;
  const at = it.createdAt;
  switch (it.name) {
    case 'survey.request': {
      const a = it.args as CommandArgs['survey.request'];
      if (s.surveys[a.id]) return s;
      const head = s.users[a.unitHeadId]?.fullName ?? '';
      let out = s;
      if (!s.workOrders[a.workOrderId]) {
        const wo = newWorkOrder(
          it,
          {
            id: a.workOrderId,
            type: 'SURVEY',
            status: 'ASSIGNED',
            title: fillText('surveyTitle', { requestingUnit: a.requestingUnit }),
            description: fillText('surveyDescription', { reason: a.reason, requestingUnit: a.requestingUnit, unitHead: head }),
            siteId: a.siteId,
            assigneeId: a.technicianId,
            dueOn: a.dueOn ?? null,
          },
          actorId,
        );
        out = { ...out, workOrders: { ...out.workOrders, [wo.id]: wo } };
      }
      const survey: SurveyRecord = {
        id: a.id,
        workOrderId: a.workOrderId,
        siteId: a.siteId,
        status: 'DRAFT',
        reason: a.reason,
        requestingUnit: a.requestingUnit,
        unitHeadId: a.unitHeadId,
        technicianId: a.technicianId,
        securityId: a.securityId,
        surveyDate: null,
        recordingLocation: s.sites[a.siteId]?.recordingLocation ?? null,
        recordingNote: '',
        infrastructureNeeds: '',
        cablingNeeds: '',
        signsNeeded: null,
        signsNote: '',
        conclusion: null,
        conclusionNote: '',
        correctsMinutesId: null,
        olurReference: null,
        olurDate: null,
        installationWorkOrderId: null,
        createdAt: at,
        updatedAt: at,
        version: 0,
        pending: true,
      };
      return { ...out, surveys: { ...out.surveys, [a.id]: survey } };
    }
    case 'survey.update': {
      const { surveyId, ...fields } = it.args as CommandArgs['survey.update'];
      return withSurvey(s, surveyId, { ...setFields(fields), updatedAt: at });
    }
    case 'survey.addPoint': {
      const a = it.args as CommandArgs['survey.addPoint'];
      if (s.surveyPoints[a.id] || !s.surveys[a.surveyId]) return s;
      const point = {
        id: a.id,
        surveyId: a.surveyId,
        position: a.position ?? 0,
        place: a.place,
        areaType: a.areaType,
        mounting: a.mounting,
        viewDirection: a.viewDirection ?? '',
        photos: a.photos ?? [],
        latE6: a.latE6 ?? null,
        lonE6: a.lonE6 ?? null,
        accuracyM: a.accuracyM ?? null,
        createdById: actorId,
        createdAt: at,
        version: 0,
        pending: true,
      };
      return withSurvey({ ...s, surveyPoints: { ...s.surveyPoints, [a.id]: point } }, a.surveyId, { updatedAt: at });
    }
    case 'survey.updatePoint': {
      const { pointId, ...fields } = it.args as CommandArgs['survey.updatePoint'];
      const p = s.surveyPoints[pointId];
      if (!p) return s;
      return { ...s, surveyPoints: { ...s.surveyPoints, [pointId]: { ...p, ...setFields(fields), pending: true } } };
    }
    case 'survey.removePoint': {
      const { pointId } = it.args as CommandArgs['survey.removePoint'];
      if (!s.surveyPoints[pointId]) return s;
      const surveyPoints = { ...s.surveyPoints };
      delete surveyPoints[pointId];
      return { ...s, surveyPoints };
    }
    case 'minutes.create': {
      const a = it.args as CommandArgs['minutes.create'];
      const survey = s.surveys[a.surveyId];
      if (s.minutes[a.id] || !survey) return s;
      // The content as the phone built it when the command was made (the overlay applies the
      // commands in order, so this is the same state); the hash is the one that was sent.
      const revision = nextRevision(s, survey.id);
      const content = buildContent(s, survey, a.id, revision);
      const minutes = {
        id: a.id,
        surveyId: survey.id,
        revision,
        templateVersion: TEMPLATE,
        content: canonicalJson(content as unknown as Json),
        contentHash: a.contentHash,
        verificationCode: verificationCode(a.contentHash),
        status: 'AWAITING_SIGNATURES' as const,
        supersedesId: survey.correctsMinutesId,
        withdrawnReason: null,
        createdById: actorId,
        createdAt: at,
        sealedAt: null,
        pdfSha256: null,
        version: 0,
        pending: true,
      };
      return withSurvey({ ...s, minutes: { ...s.minutes, [a.id]: minutes } }, survey.id, { status: 'AWAITING_SIGNATURES', updatedAt: at });
    }
    case 'minutes.sign': {
      const a = it.args as CommandArgs['minutes.sign'];
      if (s.signatures[a.id] || !s.minutes[a.minutesId]) return s;
      // The server keeps one signature per role: a second one here would be refused there.
      if (Object.values(s.signatures).some((x) => x.minutesId === a.minutesId && x.role === a.role)) return s;
      const sig = {
        id: a.id,
        minutesId: a.minutesId,
        role: a.role,
        signerId: a.signerId,
        imageSha256: a.imageSha256,
        contentHash: a.contentHash,
        signedAt: a.signedAt,
        recordedAt: null,
        capturedById: actorId,
        method: a.proof.kind === 'passkey' ? ('PASSKEY' as const) : ('PIN' as const),
        version: 0,
        pending: true,
      };
      return { ...s, signatures: { ...s.signatures, [a.id]: sig } };
    }
    case 'minutes.withdraw': {
      const a = it.args as CommandArgs['minutes.withdraw'];
      const m = s.minutes[a.minutesId];
      if (!m || m.status !== 'AWAITING_SIGNATURES') return s;
      const out = { ...s, minutes: { ...s.minutes, [m.id]: { ...m, status: 'WITHDRAWN' as const, withdrawnReason: a.reason } } };
      return withSurvey(out, m.surveyId, { status: 'DRAFT', updatedAt: at });
    }
    case 'survey.correct': {
      const a = it.args as CommandArgs['survey.correct'];
      const sealed = Object.values(s.minutes)
        .filter((m) => m.surveyId === a.surveyId && m.status === 'SEALED')
        .sort((x, y) => y.revision - x.revision)[0];
      if (!sealed || s.surveys[a.surveyId]?.status !== 'SEALED') return s;
      return withSurvey(s, a.surveyId, { status: 'DRAFT', correctsMinutesId: sealed.id, updatedAt: at });
    }
    case 'survey.recordApproval': {
      const a = it.args as CommandArgs['survey.recordApproval'];
      const survey = s.surveys[a.surveyId];
      if (!survey || survey.status !== 'SEALED') return s;
      const site = s.sites[survey.siteId];
      let out = s;
      if (!s.workOrders[a.installationWorkOrderId]) {
        const surveyWo = s.workOrders[survey.workOrderId];
        const wo = newWorkOrder(
          it,
          {
            id: a.installationWorkOrderId,
            type: 'INSTALLATION',
            status: 'DRAFT',
            title: fillText('installationTitle', { site: site?.name ?? '' }),
            description: fillText('installationDescription', {
              olurReference: a.olurReference,
              olurDate: textDay(a.olurDate),
              surveyNumber: surveyWo?.number ?? '',
              requestingUnit: survey.requestingUnit,
            }),
            siteId: survey.siteId,
            assigneeId: null,
            dueOn: null,
          },
          actorId,
        );
        out = { ...out, workOrders: { ...out.workOrders, [wo.id]: wo } };
      }
      return withSurvey(out, survey.id, {
        status: 'APPROVED',
        olurReference: a.olurReference,
        olurDate: a.olurDate,
        installationWorkOrderId: a.installationWorkOrderId,
        updatedAt: at,
      });
    }
    case 'passkey.revoke': {
      const a = it.args as CommandArgs['passkey.revoke'];
      const p = s.passkeys[a.passkeyId];
      if (!p || p.revokedAt) return s;
      return { ...s, passkeys: { ...s.passkeys, [p.id]: { ...p, revokedAt: at } } };
    }
    default:
      return s;
  }
}
