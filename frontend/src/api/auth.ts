/** Sign-in / sign-out. Tokens go to localStorage, the viewer into the store. */
import { putViewer, resetStore } from '../store/store';
import { gql, NetworkError } from './client';
import { SESSION_FIELDS } from './fragments';
import { clearSession, loadSession, saveSession } from './session';
import type { OperationError, Session } from './types';

export const SIGN_IN_MUTATION = `mutation SignIn($username: String!, $password: String!) {
  signIn(username: $username, password: $password) {
    __typename
    ... on SessionSuccess { session { ${SESSION_FIELDS} } }
    ... on OperationError { code message field }
  }
}`;
export const SIGN_OUT_MUTATION = `mutation SignOut($refreshToken: String!) {
  signOut(refreshToken: $refreshToken) { __typename ... on OperationError { code message } }
}`;

type SessionResult = { __typename: 'SessionSuccess'; session: Session } | OperationError;

export async function signIn(username: string, password: string): Promise<OperationError | null> {
  const d = await gql<{ signIn: SessionResult }>(SIGN_IN_MUTATION, { username, password }, { auth: false });
  const r = d.signIn;
  if (r.__typename === 'SessionSuccess') {
    resetStore();
    saveSession(r.session);
    putViewer(r.session.viewer);
    return null;
  }
  return r;
}

/** Revokes the refresh token on the server when possible; always clears local data. */
export async function signOut(): Promise<void> {
  const s = loadSession();
  try {
    if (s) {
      await gql(SIGN_OUT_MUTATION, { refreshToken: s.refreshToken }, { auth: false, attachToken: true });
    }
  } catch (e) {
    if (!(e instanceof NetworkError)) console.warn('signOut failed', e);
  } finally {
    clearSession();
    resetStore();
  }
}
