/**
 * Messages of the server's error catalogue (generated from backend/domain/errors.py), rendered
 * as `render` renders them there (tests/fixtures/rules_vectors.json pins both).
 */
import { ERRORS, type ErrorCode } from '../generated/rules';
import { getLang } from '../i18n';

export type { ErrorCode };

/** `code`'s message with its `{placeholders}` filled; a missing parameter leaves the template as it is. */
export function renderError(code: ErrorCode, params: Record<string, string | number> = {}, lang: string = getLang()): string {
  const entry = ERRORS[code];
  const template = lang === 'en' ? entry.en : entry.tr;
  const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  if (names.some((n) => !(n in params))) return template;
  return template.replace(/\{(\w+)\}/g, (_, n: string) => String(params[n]));
}

export const isErrorCode = (code: string | null | undefined): code is ErrorCode => !!code && code in ERRORS;
