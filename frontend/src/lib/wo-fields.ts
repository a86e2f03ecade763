/**
 * The editable work-order fields (`workorder.update`), as the UI names and shows them.
 *
 * The server names a field in a conflict (and in the EDITED event text) by its column
 * (`due_on`), with enum values as stored (`high`); the PWA uses the GraphQL spelling (`dueOn`,
 * `HIGH`). These helpers take either.
 */
import { ENUMS, type Priority } from '../generated/rules';
import type { CommandArgs } from '../outbox/commands';
import { enumLabel, formatDate, t, type MessageKey } from '../i18n';
import { isEditable } from './lifecycle';

export const EDIT_FIELDS = ['title', 'description', 'priority', 'dueOn'] as const;
export type EditField = (typeof EDIT_FIELDS)[number];
export const PRIORITIES: readonly Priority[] = ENUMS.Priority;

const WIRE: Record<string, EditField> = {
  title: 'title',
  description: 'description',
  priority: 'priority',
  dueOn: 'dueOn',
  due_on: 'dueOn',
};

/** `due_on` / `dueOn` → `dueOn` (an `EditField`); unknown names come back unchanged. */
export function editField(name: string): string {
  return WIRE[name] ?? name;
}

/** The field in words: "Açıklama", "Termin"… */
export function fieldLabel(name: string): string {
  const f = editField(name);
  return (EDIT_FIELDS as readonly string[]).includes(f) ? t(`field.${f}` as MessageKey) : name;
}

/** A server value in the PWA's spelling (priority upper case). */
export function fieldValue(name: string, v: unknown): unknown {
  if (editField(name) === 'priority' && typeof v === 'string') return v.toUpperCase();
  return v;
}

/** A value as the user reads it. */
export function showFieldValue(name: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return t('common.none');
  const f = editField(name);
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  if (f === 'priority') return enumLabel('priority', s.toUpperCase());
  if (f === 'dueOn') return formatDate(s);
  return s;
}

/** The EDITED event's text ("description, priority") in words. */
export function editedFieldsText(text: string | null): string | null {
  if (!text) return text;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(fieldLabel)
    .join(', ');
}

/** Submission freezes a work order: its fields and photos change again only after a return. */
export const isFrozen = (status: string): boolean => !isEditable(status);

/** An EDITED line's values, as people read them: "Öncelik: Normal → Yüksek". */
export function changeLines(changes: readonly { field: string; before: string | null; after: string | null }[] | null | undefined): string[] {
  return (changes ?? []).map((c) => `${fieldLabel(c.field)}: ${showFieldValue(c.field, c.before)} → ${showFieldValue(c.field, c.after)}`);
}

/** The edit form's values (date as `YYYY-MM-DD` or empty). */
export interface EditForm {
  title: string;
  description: string;
  priority: string;
  dueOn: string;
}
export type EditChanges = Omit<CommandArgs['workorder.update'], 'workOrderId'>;

/** Only the fields that differ from where the edit started (trimmed text; an emptied due date is left alone). */
export function editChanges(start: EditForm, form: EditForm): EditChanges {
  const out: EditChanges = {};
  const title = form.title.trim();
  const description = form.description.trim();
  if (title !== start.title.trim()) out.title = title;
  if (description !== start.description.trim()) out.description = description;
  if (form.priority !== start.priority) out.priority = form.priority as Priority;
  if (form.dueOn && form.dueOn !== start.dueOn) out.dueOn = form.dueOn;
  return out;
}
