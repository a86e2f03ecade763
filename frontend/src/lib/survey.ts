/**
 * Survey vocabulary and rules the phone checks before the server does (docs/surveys.md):
 * area types and the private-area rule of directive 7(4), mountings, recording locations,
 * signer roles.
 */
import { ENUMS, PRIVATE_AREA_TYPES, type AreaType, type ErrorCode, type SignerRole } from '../generated/rules';
import { enumLabel, formatDate, t, type MessageKey } from '../i18n';
import type { SurveyRecord } from '../store/store';

/** backend AreaType, in the order the form offers them. */
export const AREA_TYPES = ENUMS.AreaType;
export type { AreaType };

/** Directive 7(4): no camera in offices, work rooms, toilets/lavatories, or corridors opening onto them. */
export const PRIVATE_AREAS: ReadonlySet<string> = new Set(PRIVATE_AREA_TYPES);
/** …except cashier (vezne) areas. */
export const CASHIER: AreaType = 'CASHIER';

export const MOUNTINGS = ENUMS.Mounting;
export const RECORDING_LOCATIONS = ENUMS.RecordingLocation;
export const SIGNER_ROLES: readonly SignerRole[] = ENUMS.SignerRole;

export const isPrivateArea = (area: string | null | undefined): boolean => !!area && PRIVATE_AREAS.has(area);

export interface AreaRule {
  /** `forbidden`: the point cannot be saved; `exception`: allowed, with the reason why. */
  kind: 'forbidden' | 'exception';
  message: string;
}

/** What the form shows as soon as an area type is chosen. */
export function areaRule(area: string | null | undefined): AreaRule | null {
  if (isPrivateArea(area)) return { kind: 'forbidden', message: t('survey.privateArea', { area: enumLabel('area', area) }) };
  if (area === CASHIER) return { kind: 'exception', message: t('survey.cashierNote') };
  return null;
}

/** Who signs in a role, per the survey. */
export function signerOf(survey: Pick<SurveyRecord, 'technicianId' | 'securityId' | 'unitHeadId'>, role: SignerRole): string {
  return role === 'TECHNICIAN' ? survey.technicianId : role === 'SECURITY' ? survey.securityId : survey.unitHeadId;
}

/**
 * Top-level strings (and strings in top-level arrays) trimmed, as the server's command inputs
 * trim them: what the phone shows and hashes must be what the server stores.
 */
export function trimArgs<T>(args: T): T {
  if (!args || typeof args !== 'object') return args;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args as Record<string, unknown>)) {
    out[k] = typeof v === 'string' ? v.trim() : Array.isArray(v) ? v.map((x: unknown) => (typeof x === 'string' ? x.trim() : x)) : v;
  }
  return out as T;
}

/** Today in Europe/Istanbul as `YYYY-MM-DD` (the survey date's default). */
export function todayIstanbul(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Istanbul', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** Degrees → integer micro-degrees, as the server stores positions. */
export const toE6 = (deg: number): number => Math.round(deg * 1e6);

/** Why the server refused a signature (a `signatureRefusal` code), in words. */
const REFUSAL_CODES = new Set<string>([
  'MINUTES_SIGNATURE_INVALID',
  'MINUTES_SIGNER_LOCKED',
  'MINUTES_SIGNER_NO_PIN',
  'SIGNATURE_PIN_WRONG',
  'SIGNATURE_PASSKEY_UNKNOWN',
  'SIGNATURE_PASSKEY_INVALID',
  'SIGNATURE_PIN_KEY_UNKNOWN',
  'SIGNATURE_SCHEME_RETIRED',
] satisfies ErrorCode[]);

export function refusalText(code: string): string {
  return REFUSAL_CODES.has(code) ? t(`refusal.${code}` as MessageKey) : code;
}

/** `survey.update` fields as the server names them in a conflict (column names) → PWA names. */
const SURVEY_FIELDS: Record<string, string> = {
  survey_date: 'surveyDate',
  recording_location: 'recordingLocation',
  recording_note: 'recordingNote',
  infrastructure_needs: 'infrastructureNeeds',
  cabling_needs: 'cablingNeeds',
  signs_needed: 'signsNeeded',
  signs_note: 'signsNote',
  conclusion: 'conclusion',
  conclusion_note: 'conclusionNote',
};
const SURVEY_FIELD_NAMES = new Set(Object.values(SURVEY_FIELDS));

/** `signs_note` / `signsNote` → `signsNote`. */
export const surveyField = (name: string): string => SURVEY_FIELDS[name] ?? name;

export function surveyFieldLabel(name: string): string {
  const f = surveyField(name);
  return SURVEY_FIELD_NAMES.has(f) ? t(`survey.${f}` as MessageKey) : name;
}

/** A conflict value in the PWA's spelling (enums upper case, as GraphQL names them). */
export function surveyFieldValue(name: string, v: unknown): unknown {
  const f = surveyField(name);
  return (f === 'recordingLocation' || f === 'conclusion') && typeof v === 'string' ? v.toUpperCase() : v;
}

export function showSurveyFieldValue(name: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return t('common.none');
  const f = surveyField(name);
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  if (f === 'recordingLocation') return enumLabel('rec', s.toUpperCase());
  if (f === 'conclusion') return enumLabel('conclusion', s.toUpperCase());
  if (f === 'surveyDate') return formatDate(s);
  return s;
}
