/**
 * The one i18n module: every UI string goes through `t(key, params)`.
 * Turkish is the default; the choice is persisted in localStorage.
 */
import { en } from './en';
import { tr, type MessageKey } from './tr';

export type { MessageKey };
export type Lang = 'tr' | 'en';

export const LANG_STORAGE_KEY = 'saha.lang';
export const TIME_ZONE = 'Europe/Istanbul';

const dictionaries: Record<Lang, Record<MessageKey, string>> = { tr, en };
const listeners = new Set<(lang: Lang) => void>();

function readStoredLang(): Lang {
  try {
    const v = globalThis.localStorage?.getItem(LANG_STORAGE_KEY);
    return v === 'en' ? 'en' : 'tr';
  } catch {
    return 'tr';
  }
}

let current: Lang = readStoredLang();

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  try {
    globalThis.localStorage?.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    /* storage may be full or denied; the choice then lasts for this page only */
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  listeners.forEach((l) => l(lang));
}

/** Re-reads the persisted language (used at start-up and by tests). */
export function initLang(): Lang {
  current = readStoredLang();
  if (typeof document !== 'undefined') document.documentElement.lang = current;
  return current;
}

export function onLangChange(listener: (lang: Lang) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = dictionaries[current][key] ?? tr[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Label of an enum value, e.g. enumLabel('status', 'ASSIGNED'); falls back to the raw value. */
export function enumLabel(prefix: string, value: string | null | undefined): string {
  if (!value) return t('common.none');
  const key = `${prefix}.${value}` as MessageKey;
  return dictionaries[current][key] ?? value;
}

const locale = (): string => (current === 'tr' ? 'tr-TR' : 'en-GB');

/** ISO-8601 UTC instant → date and time in Europe/Istanbul. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return t('common.none');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), {
    timeZone: TIME_ZONE,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
}

/** Calendar date `YYYY-MM-DD` → localised date (a date has no zone; shown as that day). */
export function formatDate(date: string | null | undefined): string {
  if (!date) return t('common.none');
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return date;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
  return new Intl.DateTimeFormat(locale(), {
    timeZone: TIME_ZONE,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).format(d);
}
