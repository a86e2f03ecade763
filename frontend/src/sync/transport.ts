/** `syncPush` / `syncPull` over GraphQL (docs/sync-protocol.md). */
import { gql } from '../api/client';
import type { OperationError } from '../api/types';
import type { Envelope } from '../outbox/commands';
import type { SyncChange } from '../store/store';

export const SYNC_PUSH_MUTATION = `mutation SyncPush($clientId: String!, $envelopes: [SyncEnvelopeInput!]!) {
  syncPush(clientId: $clientId, envelopes: $envelopes) {
    __typename
    ... on SyncPushResult { clientId lastSeq expectedSeq outcomes }
    ... on OperationError { code message field }
  }
}`;
export const SYNC_PULL_QUERY = `query SyncPull($cursor: String, $limit: Int) {
  syncPull(cursor: $cursor, limit: $limit) { records nextCursor hasMore reset }
}`;

export interface SyncReply {
  seq: number;
  mutationId: string;
  status: 'APPLIED' | 'REJECTED';
  code: string | null;
  message: string | null;
  field: string | null;
  result: unknown;
}
export interface SyncPushResult {
  __typename: 'SyncPushResult';
  clientId: string;
  lastSeq: number;
  replies: SyncReply[];
  expectedSeq: number | null;
}
export type PushOutcome = SyncPushResult | OperationError;
export interface PullPage {
  changes: SyncChange[];
  nextCursor: string;
  hasMore: boolean;
  reset: boolean;
}

export interface Transport {
  push(clientId: string, envelopes: Envelope[]): Promise<PushOutcome>;
  pull(cursor: string | null, limit: number): Promise<PullPage>;
}

export const graphqlTransport: Transport = {
  async push(clientId, envelopes) {
    // `outcomes`: the replies as one JSON value, the same objects as `replies { … }`
    type Wire = OperationError | (Omit<SyncPushResult, 'replies'> & { outcomes: SyncReply[] });
    const d = await gql<{ syncPush: Wire }>(SYNC_PUSH_MUTATION, { clientId, envelopes });
    const out = d.syncPush;
    if (out.__typename !== 'SyncPushResult') return out;
    const { outcomes, ...result } = out;
    return { ...result, replies: outcomes };
  },
  async pull(cursor, limit) {
    // `records`: the page's changes as one JSON value, the same {entity, id, version, op, data}
    // objects as `changes { … }` but several times cheaper for the server to produce
    const d = await gql<{ syncPull: Omit<PullPage, 'changes'> & { records: SyncChange[] } }>(SYNC_PULL_QUERY, {
      cursor,
      limit,
    });
    const { records, ...page } = d.syncPull;
    return { ...page, changes: records };
  },
};
