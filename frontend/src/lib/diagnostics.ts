/** Pure helpers for ONVIF diagnoses (docs/diagnostics.md): verdicts, sources, history lines. */
import type { DiagnosisSource, Verdict } from '../generated/rules';
import { enumLabel, formatDateTime } from '../i18n';

export type { DiagnosisSource, Verdict };

/** How bad a verdict is (higher = worse); unknown values rank with "skipped". */
const SEVERITY: Record<Verdict, number> = { FAIL: 4, WARNING: 3, OK: 2, NOT_SUPPORTED: 1, SKIPPED: 0 };

export function severity(v: string | null | undefined): number {
  return v && v in SEVERITY ? SEVERITY[v as Verdict] : 0;
}

/** Worst first, the original order kept among equals (failing checks come to the top). */
export function sortByVerdict<T extends { verdict: string }>(rows: readonly T[]): T[] {
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => severity(b.r.verdict) - severity(a.r.verdict) || a.i - b.i)
    .map((x) => x.r);
}

/** Chip label of a check's verdict: Tamam / Uyarı / Hata / Desteklenmiyor / Yapılmadı. */
export const verdictLabel = (v: string | null | undefined): string => enumLabel('verdictChip', v);
/** A whole diagnosis' verdict: Sağlam / Uyarı / Arızalı. */
export const overallLabel = (v: string | null | undefined): string => enumLabel('overall', v);
/** Uzaktan / Sahada (probe) / Gece taraması / Haftalık kayıt kontrolü. */
export const sourceLabel = (s: string | null | undefined): string => enumLabel('diagSource', s);
/** The inventory field a proposal would change: Marka / Model / Seri numarası / Yazılım sürümü. */
export const proposalFieldLabel = (field: string): string => enumLabel('proposalField', field);
/** CSS class of a verdict chip. */
export const verdictClass = (v: string | null | undefined): string => `vd vd-${(v ?? 'skipped').toLowerCase()}`;

/** A fault work order makes sense when something is wrong. */
export const canOpenFault = (overall: string | null | undefined): boolean => overall === 'WARNING' || overall === 'FAIL';

export interface CheckChangeLike {
  label: string;
  at: string;
  before: string | null;
  after: string;
}

/** "Saat: Tamam → Hata, 21.11.2026 02:00" (the first result of a check has no "before"). */
export function formatChange(c: CheckChangeLike): string {
  const what = c.before ? `${verdictLabel(c.before)} → ${verdictLabel(c.after)}` : verdictLabel(c.after);
  return `${c.label}: ${what}, ${formatDateTime(c.at)}`;
}

/** "/blobs/<sha>" → "<sha>" (null for anything else). */
export function shaFromBlobUrl(url: string | null | undefined): string | null {
  const m = url ? /\/blobs\/([0-9a-f]{64})(?:[?#].*)?$/i.exec(url) : null;
  return m ? m[1].toLowerCase() : null;
}

/** Evidence as key/value rows: scalars as text, objects and arrays as pretty JSON. */
export function evidenceRows(evidence: unknown): { key: string; value: string; json: boolean }[] {
  if (evidence === null || evidence === undefined) return [];
  if (typeof evidence !== 'object' || Array.isArray(evidence)) return [{ key: '', value: JSON.stringify(evidence, null, 2), json: true }];
  return Object.entries(evidence as Record<string, unknown>).map(([key, v]) =>
    v !== null && typeof v === 'object' ? { key, value: JSON.stringify(v, null, 2), json: true } : { key, value: String(v), json: false },
  );
}

export interface SiteHealthLike {
  siteCode: string;
  ok: number;
  warning: number;
  fail: number;
  unchecked: number;
}

/** Most failures first, then warnings, then never checked; by site code among equals. */
export function sortSiteHealth<T extends SiteHealthLike>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => b.fail - a.fail || b.warning - a.warning || b.unchecked - a.unchecked || a.siteCode.localeCompare(b.siteCode, 'tr'));
}

export function healthTotals(rows: readonly SiteHealthLike[]): { ok: number; warning: number; fail: number; unchecked: number } {
  const t = { ok: 0, warning: 0, fail: 0, unchecked: 0 };
  for (const r of rows) {
    t.ok += r.ok;
    t.warning += r.warning;
    t.fail += r.fail;
    t.unchecked += r.unchecked;
  }
  return t;
}
