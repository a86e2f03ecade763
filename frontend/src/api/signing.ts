/**
 * One's ways of signing (docs/surveys.md, "Signatures"): the server's public signing parameters
 * (kept for offline use), and the online set-up steps — set the PIN, register or remove a passkey.
 * The PIN never leaves the phone in the clear: it is sealed to the server's key (lib/signing.ts).
 */
import { createPasskey, deviceLabel, pinSetAad, sealPinBox } from '../lib/signing';
import { getState, putSigningSetup, type PasskeyRecord } from '../store/store';
import { gql } from './client';
import type { OperationError } from './types';

const PASSKEY_FIELDS = 'id label credentialId createdAt lastUsedAt revokedAt backedUp';

export const SIGNING_SETUP_QUERY = `query SigningSetup { signingSetup { rpId pinKeyId pinPublicKey pinSetAt passkeys { ${PASSKEY_FIELDS} } } }`;
export const SET_SIGNING_PIN_MUTATION = `mutation SetSigningPin($password: String!, $pinBox: JSON!) {
  setSigningPin(password: $password, pinBox: $pinBox) {
    __typename
    ... on SigningPinSuccess { pinSetAt }
    ... on OperationError { code message field }
  }
}`;
export const BEGIN_PASSKEY_MUTATION = `mutation BeginPasskey($password: String!) {
  beginPasskeyRegistration(password: $password) {
    __typename
    ... on PasskeyOptions { options ticket }
    ... on OperationError { code message field }
  }
}`;
export const FINISH_PASSKEY_MUTATION = `mutation FinishPasskey($ticket: String!, $credential: JSON!, $label: String!) {
  finishPasskeyRegistration(ticket: $ticket, credential: $credential, label: $label) {
    __typename
    ... on PasskeySuccess { passkey { ${PASSKEY_FIELDS} } }
    ... on OperationError { code message field }
  }
}`;

interface PasskeyWire {
  id: string;
  label: string;
  credentialId: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  backedUp: boolean;
}

const record = (p: PasskeyWire, userId: string): PasskeyRecord => ({ ...p, userId, version: 0 });

/** Fetches `signingSetup` into the store (call when online and signed in). */
export async function loadSigningSetup(): Promise<void> {
  const d = await gql<{ signingSetup: { rpId: string; pinKeyId: string; pinPublicKey: string; pinSetAt: string | null; passkeys: PasskeyWire[] } }>(
    SIGNING_SETUP_QUERY,
  );
  const me = getState().viewer?.user.id;
  if (!me) return;
  const s = d.signingSetup;
  putSigningSetup(
    { rpId: s.rpId, pinKeyId: s.pinKeyId, pinPublicKey: s.pinPublicKey },
    s.passkeys.filter((p) => !p.revokedAt).map((p) => record(p, me)),
    s.pinSetAt,
  );
}

// --- which passkeys live on this device ---------------------------------------------------------
// A person may have passkeys on several phones; this phone signs only with one made here. Kept in
// localStorage per person: it outlives sign-out, like the passkey itself.

const LOCAL_KEY = (userId: string) => `saha.passkeys.${userId}`;

export function localPasskeyIds(userId: string): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(LOCAL_KEY(userId)) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function rememberLocal(userId: string, credentialId: string): void {
  const ids = new Set(localPasskeyIds(userId));
  ids.add(credentialId);
  localStorage.setItem(LOCAL_KEY(userId), JSON.stringify([...ids]));
}

/** This phone's usable passkeys of `userId` (registered here and not removed). */
export function usablePasskeys(userId: string): string[] {
  const known = Object.values(getState().passkeys).filter((p) => p.userId === userId && !p.revokedAt);
  const here = new Set(localPasskeyIds(userId));
  return known.filter((p) => here.has(p.credentialId)).map((p) => p.credentialId);
}

// --- online set-up steps ----------------------------------------------------------------------

export type SetupResult = { ok: true } | { ok: false; error: Pick<OperationError, 'code' | 'message' | 'field'> };

/** Seal the new PIN to the server's key and set it (the password confirms it is the person). */
export async function setSigningPin(password: string, pin: string): Promise<SetupResult> {
  const s = getState();
  const me = s.viewer?.user.id;
  if (!me) throw new Error('not signed in');
  if (!s.signing) await loadSigningSetup();
  const setup = getState().signing;
  if (!setup) throw new Error('no signing setup');
  const pinBox = await sealPinBox({ kid: setup.pinKeyId, publicKey: setup.pinPublicKey }, pin, pinSetAad(me));
  const d = await gql<{ setSigningPin: { __typename: 'SigningPinSuccess'; pinSetAt: string } | (OperationError & { __typename: 'OperationError' }) }>(
    SET_SIGNING_PIN_MUTATION,
    {
      password,
      pinBox,
    },
  );
  const r = d.setSigningPin;
  if (r.__typename === 'OperationError') return { ok: false, error: r };
  await loadSigningSetup();
  return { ok: true };
}

/** Make a passkey on this phone and register it (password first). */
export async function registerPasskey(password: string): Promise<SetupResult> {
  const me = getState().viewer?.user.id;
  if (!me) throw new Error('not signed in');
  const begin = await gql<{
    beginPasskeyRegistration:
      { __typename: 'PasskeyOptions'; options: Parameters<typeof createPasskey>[0]; ticket: string } | (OperationError & { __typename: 'OperationError' });
  }>(BEGIN_PASSKEY_MUTATION, { password });
  const b = begin.beginPasskeyRegistration;
  if (b.__typename === 'OperationError') return { ok: false, error: b };
  const credential = await createPasskey(b.options); // throws PasskeyError (cancelled, …)
  const finish = await gql<{
    finishPasskeyRegistration: { __typename: 'PasskeySuccess'; passkey: PasskeyWire } | (OperationError & { __typename: 'OperationError' });
  }>(FINISH_PASSKEY_MUTATION, { ticket: b.ticket, credential, label: deviceLabel() });
  const f = finish.finishPasskeyRegistration;
  if (f.__typename === 'OperationError') return { ok: false, error: f };
  rememberLocal(me, f.passkey.credentialId);
  await loadSigningSetup();
  return { ok: true };
}
