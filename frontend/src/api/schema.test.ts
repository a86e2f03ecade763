// @vitest-environment node
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SYNC_PULL_QUERY, SYNC_PUSH_MUTATION } from '../sync/transport';
import { SIGN_IN_MUTATION, SIGN_OUT_MUTATION } from './auth';
import { REFRESH_MUTATION } from './client';
import * as D from './diagnostics';
import * as Q from './queries';
import * as S from './signing';

// vitest runs from frontend/; the exported schema sits at the repo root.
const SCHEMA_PATH = resolve(process.cwd(), '../schema.graphql');

const documents: Record<string, string> = {
  SIGN_IN_MUTATION,
  SIGN_OUT_MUTATION,
  REFRESH_MUTATION,
  ...Object.fromEntries(Object.entries(Q).filter(([k, v]) => k.endsWith('_QUERY') && typeof v === 'string')),
  ...Object.fromEntries(Object.entries(D).filter(([k, v]) => /_(QUERY|MUTATION)$/.test(k) && typeof v === 'string')),
  ...Object.fromEntries(Object.entries(S).filter(([k, v]) => /_(QUERY|MUTATION)$/.test(k) && typeof v === 'string')),
};
const SCHEMA_TEXT = existsSync(SCHEMA_PATH) ? readFileSync(SCHEMA_PATH, 'utf8') : '';
// The sync operations are checked as soon as the backend exports them.
if (SCHEMA_TEXT.includes('syncPush')) Object.assign(documents, { SYNC_PUSH_MUTATION, SYNC_PULL_QUERY });

describe.skipIf(!existsSync(SCHEMA_PATH))('documents against schema.graphql', () => {
  const schema = buildSchema(readFileSync(SCHEMA_PATH, 'utf8'));

  it('covers every query and command', () => {
    expect(Object.keys(documents).length).toBeGreaterThanOrEqual(3 + 9);
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
