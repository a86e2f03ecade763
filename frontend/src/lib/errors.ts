/**
 * Messages of the server's error catalogue (generated from backend/domain/errors.py), rendered
 * as `render` renders them there (tests/fixtures/rules_vectors.json pins both).
 */
import { ERROR_TERMS, ERRORS, type ErrorCode } from '../generated/rules';
import { getLang } from '../i18n';

export type { ErrorCode };

type Params = Record<string, string | number>;

/** Fills `{name}` placeholders; null when one is missing (the caller keeps the text as it is). */
function fill(template: string, params: Params): string | null {
  const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  if (names.some((n) => !(n in params))) return null;
  return template.replace(/\{(\w+)\}/g, (_, n: string) => String(params[n]));
}

/** A parameter as the message shows it: a choice's words in `lang` (errors.TERMS), as `_words` there. */
function words(name: string, value: string | number, lang: 'tr' | 'en', params: Params): string | number {
  const terms = ERROR_TERMS[name]?.[lang];
  if (!terms) return value;
  const parts = String(value).split(', ');
  if (!parts.every((p) => p in terms)) return value;
  const out: string[] = [];
  for (const p of parts) {
    const text = fill(terms[p], params);
    if (text === null) return value;
    out.push(text);
  }
  return out.join(', ');
}

/** `code`'s message with its `{placeholders}` filled; a missing parameter leaves the template as it is. */
export function renderError(code: ErrorCode, params: Params = {}, lang: string = getLang()): string {
  const entry = ERRORS[code];
  const l = lang === 'en' ? 'en' : 'tr';
  const template = entry[l];
  const shown: Params = {};
  for (const [name, value] of Object.entries(params)) shown[name] = words(name, value, l, params);
  return fill(template, shown) ?? template;
}

export const isErrorCode = (code: string | null | undefined): code is ErrorCode => !!code && code in ERRORS;
