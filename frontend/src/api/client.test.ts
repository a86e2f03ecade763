import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setLang } from '../i18n';
import { isOnline, setOnline } from '../lib/net';
import { NetworkError, configureClient, gql } from './client';
import { loadSession, saveSession } from './session';

const future = () => new Date(Date.now() + 3600_000).toISOString();
const past = () => new Date(Date.now() - 1000).toISOString();
const json = (b: unknown) => new Response(JSON.stringify(b), { status: 200, headers: { 'Content-Type': 'application/json' } });
/** The GraphQL request the client sent (it always sends a JSON string). */
const bodyOf = (init: RequestInit) => JSON.parse(init.body as string) as { query: string; variables: Record<string, unknown> };
const session = (n: number) => ({
  accessToken: `acc-${n}`,
  accessTokenExpiresAt: future(),
  refreshToken: `ref-${n}`,
  refreshTokenExpiresAt: future(),
  viewer: { user: { id: 'u1', username: 'teknisyen', fullName: 'Ali', role: 'TECHNICIAN', region: null }, permissions: [] },
});

beforeEach(() => {
  localStorage.clear();
  setLang('tr');
  configureClient({});
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('graphql client', () => {
  it('refreshes once for concurrent requests that hit AUTH_REQUIRED (refresh tokens rotate)', async () => {
    // given
    saveSession(session(1));
    let refreshes = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_u: string, init: RequestInit) => {
        const body = bodyOf(init);
        if (body.query.includes('refreshSession')) {
          refreshes += 1;
          expect(body.variables.refreshToken).toBe('ref-1');
          await new Promise((r) => setTimeout(r, 10));
          return json({ data: { refreshSession: { __typename: 'SessionSuccess', session: session(2) } } });
        }
        const auth = (init.headers as Record<string, string>).Authorization;
        if (auth !== 'Bearer acc-2') return json({ data: null, errors: [{ message: 'auth', extensions: { code: 'AUTH_REQUIRED' } }] });
        return json({ data: { ok: body.query } });
      }),
    );
    // when
    const results = await Promise.all([gql('query A { a }'), gql('query B { b }'), gql('query C { c }')]);
    // then
    expect(refreshes).toBe(1);
    expect(results).toEqual([{ ok: 'query A { a }' }, { ok: 'query B { b }' }, { ok: 'query C { c }' }]);
    expect(loadSession()?.refreshToken).toBe('ref-2');
  });

  it('refreshes before sending when the access token has expired', async () => {
    // given
    saveSession({ ...session(1), accessTokenExpiresAt: past() });
    const sent: (string | undefined)[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_u: string, init: RequestInit) => {
        const body = bodyOf(init);
        sent.push((init.headers as Record<string, string>).Authorization);
        if (body.query.includes('refreshSession')) return json({ data: { refreshSession: { __typename: 'SessionSuccess', session: session(2) } } });
        return json({ data: { viewer: 1 } });
      }),
    );
    // when
    await gql('query { viewer }');
    // then
    expect(sent).toEqual([undefined, 'Bearer acc-2']);
  });

  it('signals an expired session when refresh is refused', async () => {
    // given
    saveSession(session(1));
    const expired = vi.fn();
    configureClient({ onSessionExpired: expired });
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_u: string, init: RequestInit) => {
        const body = bodyOf(init);
        if (body.query.includes('refreshSession')) {
          return json({ data: { refreshSession: { __typename: 'OperationError', code: 'AUTH_SESSION_EXPIRED', message: 'expired', field: null } } });
        }
        return json({ data: null, errors: [{ message: 'x', extensions: { code: 'AUTH_SESSION_EXPIRED' } }] });
      }),
    );
    // when
    const err = await gql('query { viewer }').catch((e: unknown) => e);
    // then
    expect((err as Error).name).toBe('SessionExpiredError');
    expect(expired).toHaveBeenCalledTimes(1);
    expect(loadSession()).toBeNull();
  });

  it('keeps the session when refresh fails for a server-side reason', async () => {
    // given
    saveSession(session(1));
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_u: string, init: RequestInit) => {
        const body = bodyOf(init);
        if (body.query.includes('refreshSession')) return json({ data: null, errors: [{ message: 'Unexpected error.' }] });
        return json({ data: null, errors: [{ message: 'x', extensions: { code: 'AUTH_REQUIRED' } }] });
      }),
    );
    // when
    const err = await gql('query { viewer }').catch((e: unknown) => e);
    // then
    expect((err as Error).name).toBe('GraphQLRequestError');
    expect(loadSession()?.refreshToken).toBe('ref-1');
  });

  it('marks the app offline when a fetch fails and online when one succeeds', async () => {
    // given
    saveSession(session(1));
    setOnline(true);
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    // when
    const err = await gql('query { viewer }').catch((e: unknown) => e);
    // then
    expect(err).toBeInstanceOf(NetworkError);
    expect(isOnline()).toBe(false);
    // when
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => json({ data: { viewer: 1 } })),
    );
    await gql('query { viewer }');
    // then
    expect(isOnline()).toBe(true);
  });
});
