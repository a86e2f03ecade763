/**
 * Survey minutes on the phone (docs/surveys.md): the canonical content built from the local store,
 * its SHA-256 and the short verification code. These mirror backend/domain/surveys/{content,
 * signing}.py byte for byte, so minutes can be created offline and the server accepts them;
 * tests/fixtures/minutes_vectors.json pins both sides. Signing them is `lib/signing.ts`.
 */
import type { State, SurveyPointRecord, SurveyRecord } from '../store/store';

export const TEMPLATE = 'saha.survey-minutes/1';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const enc = new TextEncoder();

/** Code-point order, as Python sorts `str` keys (JS `sort()` compares UTF-16 units). */
function byCodePoint(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}

/**
 * `json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`: sorted keys, no
 * whitespace, non-ASCII as is. `JSON.stringify` of a string escapes exactly what Python escapes
 * (quote, backslash, control characters; \b \f \n \r \t short, the rest as lower-case \u00xx).
 * Only integers are allowed as numbers (Python would print floats differently).
 */
export function canonicalJson(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new TypeError(`canonical JSON takes integers only, got ${v}`);
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v)
    .filter((k) => v[k] !== undefined)
    .sort(byCodePoint);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
}

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new TypeError('not hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const buf = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

export async function sha256(data: Uint8Array | string): Promise<Uint8Array> {
  const bytes = typeof data === 'string' ? enc.encode(data) : data;
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buf(bytes)));
}

/** Lower-case hex SHA-256 of the canonical JSON's UTF-8 bytes. */
export async function contentHash(content: Json): Promise<string> {
  return toHex(await sha256(canonicalJson(content)));
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (with no padding needed for multiples of 5 bytes). */
export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

/** First 12 base32 characters of the first 10 bytes of the hash, as `XXXX-XXXX-XXXX`. */
export function verificationCode(hashHex: string): string {
  const c = base32(fromHex(hashHex).slice(0, 10)).slice(0, 12);
  return `${c.slice(0, 4)}-${c.slice(4, 8)}-${c.slice(8, 12)}`;
}

/** What a person typed (any case, spaces or dashes) → `ABCD-EFGH-JKLM`, or '' if malformed. */
export function normalizeCode(text: string): string {
  const raw = text.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (raw.length !== 12 || /[^A-Z2-7]/.test(raw)) return '';
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}`;
}

// --- the content ------------------------------------------------------------------------------

export interface PartyContent {
  id: string;
  name: string;
}
export interface PointContent {
  no: number;
  id: string;
  place: string;
  areaType: string;
  mounting: string;
  viewDirection: string;
  photos: string[];
  latE6: number | null;
  lonE6: number | null;
}
export interface MinutesContent {
  template: string;
  minutesId: string;
  revision: number;
  supersedesId: string | null;
  workOrderNumber: string;
  site: { code: string; name: string; district: string; address: string };
  request: { reason: string; requestingUnit: string };
  surveyDate: string | null;
  recording: { location: string | null; note: string };
  infrastructureNeeds: string;
  cablingNeeds: string;
  signs: { count: number | null; note: string };
  conclusion: string | null;
  conclusionNote: string;
  points: PointContent[];
  parties: { technician: PartyContent; security: PartyContent; unitHead: PartyContent };
}

/** A survey's points in document order: (position, id). */
export function orderedPoints(s: State, surveyId: string): SurveyPointRecord[] {
  return Object.values(s.surveyPoints)
    .filter((p) => p.surveyId === surveyId)
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** 1 + the number of earlier minutes of the survey (withdrawn ones count too). */
export function nextRevision(s: State, surveyId: string, exceptId?: string): number {
  return Object.values(s.minutes).filter((m) => m.surveyId === surveyId && m.id !== exceptId).length + 1;
}

/** The document the three parties sign, from the local state: backend `build_content`, field for field. */
export function buildContent(s: State, survey: SurveyRecord, minutesId: string, revision: number): MinutesContent {
  const wo = s.workOrders[survey.workOrderId];
  const site = s.sites[survey.siteId];
  const party = (id: string): PartyContent => ({ id, name: s.users[id]?.fullName ?? '' });
  return {
    template: TEMPLATE,
    minutesId,
    revision,
    supersedesId: survey.correctsMinutesId ?? null,
    workOrderNumber: wo?.number ?? '',
    site: { code: site?.code ?? '', name: site?.name ?? '', district: site?.district ?? '', address: site?.address ?? '' },
    request: { reason: survey.reason, requestingUnit: survey.requestingUnit },
    surveyDate: survey.surveyDate ?? null,
    recording: { location: survey.recordingLocation ?? null, note: survey.recordingNote ?? '' },
    infrastructureNeeds: survey.infrastructureNeeds ?? '',
    cablingNeeds: survey.cablingNeeds ?? '',
    signs: { count: survey.signsNeeded ?? null, note: survey.signsNote ?? '' },
    conclusion: survey.conclusion ?? null,
    conclusionNote: survey.conclusionNote ?? '',
    points: orderedPoints(s, survey.id).map((p, i) => ({
      no: i + 1,
      id: p.id,
      place: p.place,
      areaType: p.areaType,
      mounting: p.mounting,
      viewDirection: p.viewDirection ?? '',
      photos: [...(p.photos ?? [])],
      latE6: p.latE6 ?? null,
      lonE6: p.lonE6 ?? null,
    })),
    parties: { technician: party(survey.technicianId), security: party(survey.securityId), unitHead: party(survey.unitHeadId) },
  };
}

/** What `minutes.create` refuses as SURVEY_INCOMPLETE (backend `_missing`), as message keys. */
export function missingForMinutes(c: MinutesContent): ('surveyDate' | 'conclusion' | 'points' | 'recording' | 'signs')[] {
  const out: ('surveyDate' | 'conclusion' | 'points' | 'recording' | 'signs')[] = [];
  if (!c.surveyDate) out.push('surveyDate');
  if (!c.conclusion) out.push('conclusion');
  if (c.conclusion === 'FAVOURABLE') {
    if (!c.points.length) out.push('points');
    if (!c.recording.location) out.push('recording');
    if (c.signs.count === null) out.push('signs');
  }
  return out;
}
