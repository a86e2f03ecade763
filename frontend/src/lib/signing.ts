/**
 * Signatures on the phone (docs/surveys.md, "Signatures"), the mirror of backend/domain/signing:
 * the signing message every signature covers, the passkey assertion over its SHA-256 (WebAuthn, on
 * the signer's own phone, offline), and the PIN box (the PIN sealed to the server's key with
 * ECDH P-256 + HKDF-SHA256 + AES-GCM, bound to the message) for a shared phone. Nothing here can
 * test a PIN: only the server can open a PIN box. tests/fixtures/minutes_vectors.json ("signing")
 * pins the bytes on both sides.
 */

export const SIGN_CONTEXT = 'saha-sign/2';
export const PIN_SET_CONTEXT = 'saha-pin-set/2';
export const PIN_BOX_INFO = 'saha-pinbox/1';
export const PIN_LENGTH = 6;

const enc = new TextEncoder();
const buf = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

export function b64url(bytes: ArrayBuffer | Uint8Array): string {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function b64urlDecode(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new TypeError('not base64url');
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** One signature to be made (backend `SignRequest`). */
export interface SignFields {
  documentKind: string;
  documentId: string;
  contentHash: string;
  role: string;
  signerId: string;
  /** The device clock, ISO 8601 with a zone, exactly as sent. */
  signedAt: string;
  imageSha256: string;
}

export function signingMessage(f: SignFields): string {
  return [SIGN_CONTEXT, f.documentKind, f.documentId, f.contentHash, f.role, f.signerId, f.signedAt, f.imageSha256].join('\n');
}

/** The WebAuthn challenge of a passkey signature: SHA-256 of the message. */
export async function signingChallenge(f: SignFields): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buf(enc.encode(signingMessage(f)))));
}

export const pinSetAad = (userId: string): string => `${PIN_SET_CONTEXT}\n${userId}`;

/** backend/domain/signing/pin.py `pin_problem`: 'format' (not 6 digits), 'weak' (guessable) or null. */
export function pinProblem(pin: string): 'format' | 'weak' | null {
  if (!new RegExp(`^\\d{${PIN_LENGTH}}$`).test(pin)) return 'format';
  const d = Array.from(pin, Number);
  const steps = new Set(d.slice(1).map((x, i) => (x - d[i] + 10) % 10));
  if (steps.size === 1 && (steps.has(1) || steps.has(9))) return 'weak';
  if (pin === pin.slice(0, 2).repeat(3) || pin === pin.slice(0, 3).repeat(2)) return 'weak';
  return null;
}

// --- the PIN box ----------------------------------------------------------------------------

/** The server's PIN transport key as `signingSetup` gives it: id and raw P-256 point (base64url). */
export interface PinKey {
  kid: string;
  publicKey: string;
}
export interface PinBox {
  v: 1;
  kid: string;
  epk: string;
  iv: string;
  ct: string;
}

/**
 * Seals `pin` for the server, bound to `aad` (the signing message, or `pinSetAad`). `ephemeral`
 * (a P-256 private key as JWK) and `iv` exist for the shared test vectors; phones use fresh ones.
 */
export async function sealPinBox(key: PinKey, pin: string, aad: string, opts: { ephemeral?: JsonWebKey; iv?: Uint8Array } = {}): Promise<PinBox> {
  const server = await crypto.subtle.importKey('raw', buf(b64urlDecode(key.publicKey)), { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  let priv: CryptoKey;
  let epk: Uint8Array;
  if (opts.ephemeral) {
    priv = await crypto.subtle.importKey('jwk', opts.ephemeral, { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
    const { d: _d, ...pub } = opts.ephemeral;
    const pubKey = await crypto.subtle.importKey('jwk', { ...pub, key_ops: [] }, { name: 'ECDH', namedCurve: 'P-256' }, true, []);
    epk = new Uint8Array(await crypto.subtle.exportKey('raw', pubKey));
  } else {
    const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
    priv = pair.privateKey;
    epk = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  }
  const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: server }, priv, 256);
  const hkdf = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  const aesKey = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: buf(epk), info: buf(enc.encode(PIN_BOX_INFO)) },
    hkdf,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt'],
  );
  const iv = opts.iv ?? crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: buf(iv), additionalData: buf(enc.encode(aad)) }, aesKey, buf(enc.encode(pin)));
  return { v: 1, kid: key.kid, epk: b64url(epk), iv: b64url(iv), ct: b64url(ct) };
}

// --- passkeys (WebAuthn, bare API) --------------------------------------------------------------

export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && !!window.PublicKeyCredential && !!navigator.credentials && window.isSecureContext;
}

/** Why a WebAuthn call failed, in words the UI can map to a message. */
export type PasskeyFailure = 'cancelled' | 'unsupported' | 'exists' | 'domain' | 'failed';

export class PasskeyError extends Error {
  constructor(
    readonly reason: PasskeyFailure,
    message: string,
  ) {
    super(message);
    this.name = 'PasskeyError';
  }
}

function failure(e: unknown): PasskeyError {
  const name = e instanceof DOMException || e instanceof Error ? e.name : '';
  const msg = e instanceof Error ? e.message : String(e);
  if (name === 'NotAllowedError' || name === 'AbortError') return new PasskeyError('cancelled', msg);
  if (name === 'InvalidStateError') return new PasskeyError('exists', msg);
  if (name === 'SecurityError') return new PasskeyError('domain', msg);
  if (name === 'NotSupportedError') return new PasskeyError('unsupported', msg);
  return new PasskeyError('failed', msg);
}

interface CreationOptionsJSON {
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  challenge: string;
  pubKeyCredParams: { type: 'public-key'; alg: number }[];
  timeout?: number;
  excludeCredentials?: { id: string; type: 'public-key'; transports?: string[] }[];
  authenticatorSelection?: AuthenticatorSelectionCriteria;
  attestation?: AttestationConveyancePreference;
}

/** `navigator.credentials.create` from the server's options JSON → RegistrationResponseJSON. */
export async function createPasskey(options: CreationOptionsJSON): Promise<Record<string, unknown>> {
  if (!passkeysSupported()) throw new PasskeyError('unsupported', 'WebAuthn unavailable');
  const publicKey: PublicKeyCredentialCreationOptions = {
    rp: options.rp,
    user: { id: buf(b64urlDecode(options.user.id)), name: options.user.name, displayName: options.user.displayName },
    challenge: buf(b64urlDecode(options.challenge)),
    pubKeyCredParams: options.pubKeyCredParams,
    timeout: options.timeout,
    excludeCredentials: (options.excludeCredentials ?? []).map((c) => ({ type: 'public-key' as const, id: buf(b64urlDecode(c.id)) })),
    authenticatorSelection: options.authenticatorSelection,
    attestation: options.attestation ?? 'none',
  };
  let cred: PublicKeyCredential | null;
  try {
    cred = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential | null;
  } catch (e) {
    throw failure(e);
  }
  if (!cred) throw new PasskeyError('cancelled', 'no credential');
  const r = cred.response as AuthenticatorAttestationResponse;
  const transports = typeof r.getTransports === 'function' ? r.getTransports() : [];
  return {
    id: cred.id,
    rawId: b64url(cred.rawId),
    type: cred.type,
    response: { clientDataJSON: b64url(r.clientDataJSON), attestationObject: b64url(r.attestationObject), transports },
    clientExtensionResults: {},
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
  };
}

/**
 * The signer's passkey signs `f` (works offline: the authenticator is on this phone). Returns
 * the AuthenticationResponseJSON the server verifies with the stored public key.
 */
export async function passkeyAssertion(f: SignFields, rpId: string, credentialIds: string[]): Promise<Record<string, unknown>> {
  if (!passkeysSupported()) throw new PasskeyError('unsupported', 'WebAuthn unavailable');
  const publicKey: PublicKeyCredentialRequestOptions = {
    challenge: buf(await signingChallenge(f)),
    rpId,
    allowCredentials: credentialIds.map((id) => ({ type: 'public-key' as const, id: buf(b64urlDecode(id)) })),
    userVerification: 'required',
    timeout: 120_000,
  };
  let cred: PublicKeyCredential | null;
  try {
    cred = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential | null;
  } catch (e) {
    throw failure(e);
  }
  if (!cred) throw new PasskeyError('cancelled', 'no credential');
  const r = cred.response as AuthenticatorAssertionResponse;
  return {
    id: cred.id,
    rawId: b64url(cred.rawId),
    type: cred.type,
    response: {
      authenticatorData: b64url(r.authenticatorData),
      clientDataJSON: b64url(r.clientDataJSON),
      signature: b64url(r.signature),
      ...(r.userHandle ? { userHandle: b64url(r.userHandle) } : {}),
    },
    clientExtensionResults: {},
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
  };
}

/** A label for a new passkey: the device as the browser describes it ("Android · Chrome"). */
export function deviceLabel(ua = typeof navigator === 'undefined' ? '' : navigator.userAgent): string {
  const os = /iPhone|iPad/.test(ua)
    ? 'iPhone/iPad'
    : /Android/.test(ua)
      ? 'Android'
      : /Mac OS X/.test(ua)
        ? 'Mac'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /SamsungBrowser/.test(ua)
      ? 'Samsung Internet'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrome\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : '';
  return [os, browser].filter(Boolean).join(' · ') || 'Passkey';
}
