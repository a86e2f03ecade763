// @vitest-environment node
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { COMMANDS, type CommandName } from '../outbox/commands';
import { mutationFor } from '../outbox/dispatch';
import { SIGN_IN_MUTATION, SIGN_OUT_MUTATION } from './auth';
import { REFRESH_MUTATION } from './client';
import * as Q from './queries';

// vitest runs from frontend/; the exported schema sits at the repo root.
const SCHEMA_PATH = resolve(process.cwd(), '../schema.graphql');

const documents: Record<string, string> = {
  SIGN_IN_MUTATION,
  SIGN_OUT_MUTATION,
  REFRESH_MUTATION,
  ...Object.fromEntries(Object.entries(Q).filter(([k, v]) => k.endsWith('_QUERY') && typeof v === 'string')),
  ...Object.fromEntries((Object.keys(COMMANDS) as CommandName[]).map((n) => [n, mutationFor(n)])),
};

describe.skipIf(!existsSync(SCHEMA_PATH))('documents against schema.graphql', () => {
  const schema = buildSchema(readFileSync(SCHEMA_PATH, 'utf8'));

  it('covers every query and command', () => {
    expect(Object.keys(documents).length).toBeGreaterThanOrEqual(3 + 9 + 8);
  });

  for (const [name, doc] of Object.entries(documents)) {
    it(`${name} is valid`, () => {
      // given
      const ast = parse(doc);
      // when
      const errors = validate(schema, ast);
      // then
      expect(errors.map((e) => e.message)).toEqual([]);
    });
  }
});
