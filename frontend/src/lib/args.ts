/**
 * What the server checks of a command's arguments, checked before the command is queued: an
 * offline command the server would refuse is better refused now, while the person is still at the
 * form. The field specs are generated from the pydantic input models (backend/domain/commands.py
 * registry); tests/fixtures/rules_vectors.json pins that both sides accept and refuse alike.
 */
import { COMMANDS, ENUMS, type CommandName, type FieldSpec } from '../generated/rules';

export interface ArgProblem {
  /** The first argument the server would refuse (wire spelling), or null for the whole input. */
  field: string | null;
  /** In words (English, like pydantic's; shown after the catalogue's "Invalid input:"). */
  reason: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Python counts characters (code points), not UTF-16 units. */
const length = (s: string): number => Array.from(s).length;

function problem(spec: FieldSpec, v: unknown): string | null {
  if (v === null) return spec.nullable ? null : 'may not be null';
  switch (spec.type) {
    case 'string':
    case 'uuid':
    case 'date':
    case 'datetime': {
      if (typeof v !== 'string') return 'must be text';
      // Ids are only checked for being text: the phone's come from crypto.randomUUID or the server.
      const s = v.trim(); // the server strips text before it checks it
      if (spec.type === 'date' && !DATE.test(s)) return 'must be a date (YYYY-MM-DD)';
      if (spec.minLength !== undefined && length(s) < spec.minLength) return `must have at least ${spec.minLength} characters`;
      if (spec.maxLength !== undefined && length(s) > spec.maxLength) return `must have at most ${spec.maxLength} characters`;
      if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(s)) return 'has the wrong form';
      return null;
    }
    case 'integer':
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return 'must be a number';
      if (spec.type === 'integer' && !Number.isInteger(v)) return 'must be a whole number';
      if (spec.minimum !== undefined && v < spec.minimum) return `must be at least ${spec.minimum}`;
      if (spec.maximum !== undefined && v > spec.maximum) return `must be at most ${spec.maximum}`;
      return null;
    }
    case 'boolean':
      return typeof v === 'boolean' ? null : 'must be true or false';
    case 'enum': {
      // backend/domain/choices.py: a member's name or value, in any case.
      const members: readonly string[] = spec.enum ? ENUMS[spec.enum] : [];
      return typeof v === 'string' && members.some((m) => m.toLowerCase() === v.toLowerCase()) ? null : 'is not one of the choices';
    }
    case 'literal':
      return (spec.values ?? []).includes(v as string) ? null : 'is not one of the choices';
    case 'array': {
      if (!Array.isArray(v)) return 'must be a list';
      if (spec.minItems !== undefined && v.length < spec.minItems) return `must have at least ${spec.minItems} items`;
      if (spec.maxItems !== undefined && v.length > spec.maxItems) return `must have at most ${spec.maxItems} items`;
      for (const item of v) {
        const p = spec.items ? problem(spec.items, item) : null;
        if (p) return `item ${p}`;
      }
      return null;
    }
    case 'object':
      return typeof v === 'object' && !Array.isArray(v) ? null : 'must be an object';
    default:
      return null; // unions and anything else: the server decides
  }
}

/** The first argument of `name` the server would refuse, or null when it would accept them all. */
export function checkArgs(name: CommandName, args: Record<string, unknown>): ArgProblem | null {
  const fields: Readonly<Record<string, FieldSpec>> = COMMANDS[name].fields;
  for (const [field, spec] of Object.entries(fields)) {
    const v = args[field];
    if (v === undefined) {
      if (spec.required) return { field, reason: 'is required' };
      continue;
    }
    const p = problem(spec, v);
    if (p) return { field, reason: p };
  }
  const extra = Object.keys(args).find((k) => !(k in fields) && args[k] !== undefined);
  return extra ? { field: extra, reason: 'is not an argument of this command' } : null;
}
