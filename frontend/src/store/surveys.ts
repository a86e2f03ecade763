/** Selectors for surveys, points, minutes and signatures (denormalized for the screens). */
import { orderedPoints } from '../lib/minutes';
import { SIGNER_ROLES } from '../lib/survey';
import type { CommandArgs, OutboxItem } from '../outbox/commands';
import type {
  MinutesRecord,
  SignatureRecord,
  SignatureRefusalRecord,
  SignerRole,
  SiteRecord,
  State,
  SurveyPointRecord,
  SurveyRecord,
  UserRecord,
  WorkOrderRecord,
} from './store';

export interface SurveyView extends SurveyRecord {
  wo: WorkOrderRecord | null;
  site: SiteRecord | null;
  technician: UserRecord | null;
  security: UserRecord | null;
  unitHead: UserRecord | null;
  points: SurveyPointRecord[];
  /** Oldest first. */
  minutesList: MinutesRecord[];
  installationWo: WorkOrderRecord | null;
}

export function minutesOf(s: State, surveyId: string): MinutesRecord[] {
  return Object.values(s.minutes)
    .filter((m) => m.surveyId === surveyId)
    .sort((a, b) => a.revision - b.revision || (a.createdAt < b.createdAt ? -1 : 1));
}

export function selectSurvey(s: State, id: string): SurveyView | null {
  const sv = s.surveys[id];
  if (!sv) return null;
  return {
    ...sv,
    wo: s.workOrders[sv.workOrderId] ?? null,
    site: s.sites[sv.siteId] ?? null,
    technician: s.users[sv.technicianId] ?? null,
    security: s.users[sv.securityId] ?? null,
    unitHead: s.users[sv.unitHeadId] ?? null,
    points: orderedPoints(s, id),
    minutesList: minutesOf(s, id),
    installationWo: sv.installationWorkOrderId ? (s.workOrders[sv.installationWorkOrderId] ?? null) : null,
  };
}

/** The survey a (survey) work order belongs to. */
export function surveyOfWorkOrder(s: State, workOrderId: string): SurveyRecord | undefined {
  return Object.values(s.surveys).find((x) => x.workOrderId === workOrderId);
}

/** The survey an installation work order came from (its Olur). */
export function surveyOfInstallation(s: State, workOrderId: string): SurveyRecord | undefined {
  return Object.values(s.surveys).find((x) => x.installationWorkOrderId === workOrderId);
}

/** The signature of each role (server or pending), if any. */
export function signaturesOf(s: State, minutesId: string): Partial<Record<SignerRole, SignatureRecord>> {
  const out: Partial<Record<SignerRole, SignatureRecord>> = {};
  for (const sig of Object.values(s.signatures)) if (sig.minutesId === minutesId && !out[sig.role]) out[sig.role] = sig;
  return out;
}

/** All three signatures are here but the server has not sealed the minutes yet. */
export function sealPending(m: MinutesRecord, sigs: Partial<Record<SignerRole, SignatureRecord>>): boolean {
  return m.status === 'AWAITING_SIGNATURES' && SIGNER_ROLES.every((r) => !!sigs[r]);
}

/** Whether the viewer takes part in the survey (technician, security staff or unit head). */
export function isParty(sv: Pick<SurveyRecord, 'technicianId' | 'securityId' | 'unitHeadId'>, userId: string | undefined): boolean {
  return !!userId && (sv.technicianId === userId || sv.securityId === userId || sv.unitHeadId === userId);
}

/** The latest refused signature of a slot, if any. */
export function lastRefusal(s: State, minutesId: string, role: SignerRole): SignatureRefusalRecord | undefined {
  return Object.values(s.refusals)
    .filter((r) => r.minutesId === minutesId && r.role === role)
    .sort((a, b) => (a.at < b.at ? 1 : -1))[0];
}

/** A `minutes.sign` of this phone that the server refused, for this slot (last one wins). */
export function rejectedSignItem(items: OutboxItem[], minutesId: string, role: SignerRole): OutboxItem | null {
  const mine = items.filter(
    (it) =>
      it.name === 'minutes.sign' && (it.args as CommandArgs['minutes.sign']).minutesId === minutesId && (it.args as CommandArgs['minutes.sign']).role === role,
  );
  const last = mine[mine.length - 1];
  return last?.state === 'rejected' ? last : null;
}

/**
 * Work orders whose open minutes have a slot whose last signature was refused (by this phone's
 * outbox or synced from the server) and is still unsigned: İşlerim marks them.
 */
export function workOrdersWithRefusedSignatures(s: State, items: OutboxItem[]): Set<string> {
  const out = new Set<string>();
  for (const m of Object.values(s.minutes)) {
    if (m.status !== 'AWAITING_SIGNATURES') continue;
    const sigs = signaturesOf(s, m.id);
    const refused = SIGNER_ROLES.some((role) => !sigs[role] && (!!rejectedSignItem(items, m.id, role) || !!lastRefusal(s, m.id, role)));
    const sv = s.surveys[m.surveyId];
    if (refused && sv) out.add(sv.workOrderId);
  }
  return out;
}

/** Signatures made in this person's name that the server refused, newest first (recent ones). */
export function refusalsFor(s: State, userId: string | undefined, sinceMs = 7 * 24 * 3600 * 1000, now = Date.now()): SignatureRefusalRecord[] {
  if (!userId) return [];
  return Object.values(s.refusals)
    .filter((r) => r.signerId === userId && now - Date.parse(r.at) < sinceMs)
    .sort((a, b) => (a.at < b.at ? 1 : -1));
}
