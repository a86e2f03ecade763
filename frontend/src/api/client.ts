/**
 * Minimal GraphQL client: same-origin POST /graphql, bearer token, Accept-Language,
 * one refresh-and-retry on AUTH_REQUIRED / AUTH_SESSION_EXPIRED or an expired access token.
 */
import { getLang } from '../i18n';
import { noteRequest } from '../lib/net';
import { SESSION_FIELDS } from './fragments';
import { accessTokenExpired, clearSession, loadSession, saveSession, type StoredSession } from './session';
import type { OperationError, Session } from './types';

export const GRAPHQL_URL = '/graphql';
const AUTH_CODES = new Set(['AUTH_REQUIRED', 'AUTH_SESSION_EXPIRED']);

/** The request never reached the server (offline, DNS, connection refused). */
export class NetworkError extends Error {
  constructor(cause?: unknown) {
    super('network');
    this.name = 'NetworkError';
    this.cause = cause;
  }
}
/** The session could not be refreshed: the user must sign in again. */
export class SessionExpiredError extends Error {
  constructor(message = 'AUTH_SESSION_EXPIRED') {
    super(message);
    this.name = 'SessionExpiredError';
  }
}
/** A top-level GraphQL error (not a typed OperationError result). */
export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }
}

interface GqlResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

interface ClientHooks {
  onSession?: (s: Session) => void;
  onSessionExpired?: () => void;
}
let hooks: ClientHooks = {};
export function configureClient(h: ClientHooks): void {
  hooks = h;
}

async function post<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<GqlResponse<T>> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'Accept-Language': getLang(),
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(GRAPHQL_URL, { method: 'POST', headers, body: JSON.stringify({ query, variables }), cache: 'no-store' });
  } catch (e) {
    noteRequest(false);
    throw new NetworkError(e);
  }
  noteRequest(true);
  let body: GqlResponse<T>;
  try {
    body = (await res.json()) as GqlResponse<T>;
  } catch {
    throw new GraphQLRequestError(`HTTP ${res.status}`, null);
  }
  return body;
}

export const REFRESH_MUTATION = `mutation Refresh($refreshToken: String!) {
  refreshSession(refreshToken: $refreshToken) {
    __typename
    ... on SessionSuccess { session { ${SESSION_FIELDS} } }
    ... on OperationError { code message field }
  }
}`;

type SessionResult = { __typename: 'SessionSuccess'; session: Session } | OperationError;

let refreshing: Promise<StoredSession> | null = null;

/** Rotates the refresh token once; concurrent callers share the same attempt. */
export function refreshSession(): Promise<StoredSession> {
  if (!refreshing) {
    refreshing = (async () => {
      const current = loadSession();
      if (!current) throw new SessionExpiredError();
      const body = await post<{ refreshSession: SessionResult }>(REFRESH_MUTATION, { refreshToken: current.refreshToken });
      const r = body.data?.refreshSession;
      if (r && r.__typename === 'SessionSuccess') {
        saveSession(r.session);
        hooks.onSession?.(r.session);
        return r.session;
      }
      if (!r || r.code === 'AUTH_THROTTLED') {
        // Server trouble or throttling: keep the session (it may work later, e.g. offline use).
        const e = body.errors?.[0];
        throw new GraphQLRequestError(r?.message ?? e?.message ?? 'refresh failed', r?.code ?? e?.extensions?.code ?? null);
      }
      // AUTH_SESSION_EXPIRED (or another refusal): the refresh token is no good any more.
      clearSession();
      hooks.onSessionExpired?.();
      throw new SessionExpiredError(r.message);
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

/** Runs a query/mutation. `auth: false` for signIn; otherwise the stored session is used. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}, opts: { auth?: boolean; attachToken?: boolean } = {}): Promise<T> {
  const auth = opts.auth ?? true;
  if (!auth && opts.attachToken) {
    // e.g. signOut: send the token we have, never refresh for it.
    const body = await post<T>(query, variables, loadSession()?.accessToken);
    if (body.errors?.length) throw new GraphQLRequestError(body.errors[0].message, body.errors[0].extensions?.code ?? null);
    if (!body.data) throw new GraphQLRequestError('empty response', null);
    return body.data;
  }
  let session = auth ? loadSession() : null;
  if (auth && !session) {
    hooks.onSessionExpired?.();
    throw new SessionExpiredError();
  }
  if (session && accessTokenExpired(session)) session = await refreshSession();

  let body = await post<T>(query, variables, session?.accessToken);
  const authError = body.errors?.find((e) => AUTH_CODES.has(e.extensions?.code ?? ''));
  if (auth && authError) {
    // Another request may have refreshed meanwhile: then just retry with its new token.
    const latest = loadSession();
    session = latest && latest.accessToken !== session?.accessToken ? latest : await refreshSession();
    body = await post<T>(query, variables, session.accessToken);
  }
  if (body.errors?.length) {
    const e = body.errors[0];
    const code = e.extensions?.code ?? null;
    if (auth && code && AUTH_CODES.has(code)) {
      clearSession();
      hooks.onSessionExpired?.();
      throw new SessionExpiredError(e.message);
    }
    throw new GraphQLRequestError(e.message, code);
  }
  if (!body.data) throw new GraphQLRequestError('empty response', null);
  return body.data;
}

/**
 * `fetch` for the server's plain HTTP endpoints (e.g. the minutes PDF) with the bearer token:
 * an expired token is refreshed first, and a 401 answer once more.
 */
export async function authFetch(url: string, init: RequestInit = {}): Promise<Response> {
  let session = loadSession();
  if (!session) {
    hooks.onSessionExpired?.();
    throw new SessionExpiredError();
  }
  if (accessTokenExpired(session)) session = await refreshSession();
  const send = async (token: string): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${token}`);
    headers.set('Accept-Language', getLang());
    try {
      const res = await fetch(url, { ...init, headers, cache: 'no-store' });
      noteRequest(true);
      return res;
    } catch (e) {
      noteRequest(false);
      throw new NetworkError(e);
    }
  };
  let res = await send(session.accessToken);
  if (res.status === 401) res = await send((await refreshSession()).accessToken);
  return res;
}

/** `fetch` for public endpoints (no token), with the same network bookkeeping. */
export async function publicFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Accept-Language', getLang());
  try {
    const res = await fetch(url, { ...init, headers, cache: 'no-store' });
    noteRequest(true);
    return res;
  } catch (e) {
    noteRequest(false);
    throw new NetworkError(e);
  }
}
