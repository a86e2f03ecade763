import { describe, expect, it } from 'vitest';
import vectors from '../../../tests/fixtures/rules_vectors.json';
import type { Role, Viewer, WorkOrderStatus } from '../api/types';
import { COMMANDS, type CommandName, type ErrorCode } from '../generated/rules';
import { COMMAND_NAMES } from '../outbox/commands';
import { checkArgs } from './args';
import { renderError } from './errors';
import { allowedActionsFor, editRefusal } from './lifecycle';
import { can } from './permissions';
import { areaRule, isPrivateArea } from './survey';
import { fillText, textDay, type TextName } from './wo-texts';

// The PWA side of tests/fixtures/rules_vectors.json; tests/unit/test_rule_vectors.py runs the server side.
const viewer = (role: string): Viewer => ({ user: { id: 'me', username: 'x', fullName: 'X', role: role as Role }, permissions: [] });

describe('the work-order lifecycle (tests/fixtures/rules_vectors.json)', () => {
  for (const v of vectors.lifecycle) {
    it(`${v.role}${v.assignee ? ' (assignee)' : ''} on ${v.status}: ${v.allowed.join(', ') || 'nothing'}`, () => {
      const wo = { status: v.status as WorkOrderStatus, assigneeId: v.assignee ? 'me' : 'someone else' };
      expect(allowedActionsFor(wo, viewer(v.role))).toEqual(v.allowed);
    });
  }
  for (const v of vectors.editable) {
    it(`an edit on ${v.status}: ${v.refusal ?? 'allowed'}`, () => {
      expect(editRefusal(v.status)).toBe(v.refusal);
    });
  }
});

describe('permissions, the private-area rule, texts and messages (tests/fixtures/rules_vectors.json)', () => {
  it('matches permissions as the server does', () => {
    for (const v of vectors.permissions) expect(can(viewer(v.role), v.permission as never), `${v.role} ${v.permission}`).toBe(v.granted);
  });

  it('refuses cameras in private areas, cashier areas excepted', () => {
    for (const v of vectors.privateAreas) {
      expect(isPrivateArea(v.area), v.area).toBe(v.private);
      expect(areaRule(v.area)?.kind === 'forbidden', v.area).toBe(v.private);
    }
  });

  it('writes the texts of new work orders as the server writes them', () => {
    for (const v of vectors.texts) expect(fillText(v.name as TextName, v.params as unknown as Record<string, string>)).toBe(v.text);
    for (const v of vectors.dates) expect(textDay(v.date)).toBe(v.text);
  });

  it('renders catalogue messages as the server renders them', () => {
    for (const v of vectors.errors) expect(renderError(v.code as ErrorCode, v.params as unknown as Record<string, string | number>, v.lang)).toBe(v.text);
  });
});

describe('command arguments (tests/fixtures/rules_vectors.json)', () => {
  for (const v of vectors.args) {
    it(`${v.command}: ${v.refused ? `refuses ${v.refused}` : 'accepts'}`, () => {
      expect(checkArgs(v.command as CommandName, v.args as Record<string, unknown>)?.field ?? null).toBe(v.refused);
    });
  }

  it('queues no command the sync would refuse as online-only', () => {
    expect(COMMAND_NAMES.filter((name) => COMMANDS[name].onlineOnly)).toEqual([]);
  });
});
