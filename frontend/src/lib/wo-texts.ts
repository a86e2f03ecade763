/**
 * The texts the server writes into the work orders a survey opens (generated from
 * backend/domain/workorders/texts.py), filled as `fill` and `day` fill them there, so that the
 * phone shows the same while the command waits offline (tests/fixtures/rules_vectors.json).
 */
import { WORK_ORDER_TEXTS, WORK_ORDER_TITLE_MAX } from '../generated/rules';

export type TextName = keyof typeof WORK_ORDER_TEXTS;

/** Template `name` filled; a title is cut to WORK_ORDER_TITLE_MAX characters (code points, as Python counts). */
export function fillText(name: TextName, params: Record<string, string>): string {
  const text = WORK_ORDER_TEXTS[name].replace(/\{(\w+)\}/g, (m, n: string) => (n in params ? params[n] : m));
  return name.endsWith('Title') ? Array.from(text).slice(0, WORK_ORDER_TITLE_MAX).join('') : text;
}

/** `YYYY-MM-DD` → `DD.MM.YYYY`, whatever the UI language (the server writes Turkish). */
export function textDay(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : date;
}
