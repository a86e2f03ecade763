import { describe, expect, it } from 'vitest';
import vectors from '../../../tests/fixtures/minutes_vectors.json';
import { b64url, b64urlDecode, deviceLabel, pinProblem, pinSetAad, sealPinBox, signingChallenge, signingMessage } from './signing';

const V = vectors.signing;

describe('signing message and passkey challenge (tests/fixtures/minutes_vectors.json)', () => {
  for (const [i, v] of V.messages.entries()) {
    it(`reproduces message vector ${i}`, async () => {
      // given the fields Python signed / when / then
      expect(signingMessage(v)).toBe(v.message);
      expect(b64url(await signingChallenge(v))).toBe(v.challenge);
    });
  }

  it('changes the challenge when any bound field changes', async () => {
    const v = V.messages[0];
    const base = b64url(await signingChallenge(v));
    for (const k of ['documentId', 'contentHash', 'role', 'signerId', 'signedAt', 'imageSha256'] as const) {
      expect(b64url(await signingChallenge({ ...v, [k]: `${v[k]}x` }))).not.toBe(base);
    }
  });
});

describe('PIN box (ECDH P-256 + HKDF-SHA256 + AES-GCM)', () => {
  const key = { kid: V.serverKey.kid, publicKey: V.serverKey.publicKey };
  for (const [i, v] of V.pinBoxes.entries()) {
    it(`seals vector ${i} to the same bytes as Python (fixed ephemeral key and IV)`, async () => {
      // when
      const box = await sealPinBox(key, v.pin, v.aad, { ephemeral: v.ephemeral, iv: b64urlDecode(v.iv) });
      // then
      expect(box).toEqual(v.box);
    });
  }

  it('uses a fresh key and IV each time, and carries no readable PIN', async () => {
    // given / when
    const a = await sealPinBox(key, '482916', 'aad');
    const b = await sealPinBox(key, '482916', 'aad');
    // then
    expect(a.epk).not.toBe(b.epk);
    expect(a.iv).not.toBe(b.iv);
    expect(JSON.stringify(a)).not.toContain('482916');
    expect(b64urlDecode(a.epk)).toHaveLength(65);
    expect(b64urlDecode(a.ct)).toHaveLength(6 + 16);
  });

  it('binds a PIN change to the person', () => {
    expect(pinSetAad('u1')).toBe('saha-pin-set/2\nu1');
  });
});

describe('weak PINs (backend pin_problem)', () => {
  for (const [pin, problem] of V.pinProblems) {
    it(`${pin} → ${problem}`, () => expect(pinProblem(pin as string)).toBe(problem));
  }
});

describe('base64url and device labels', () => {
  it('round-trips and refuses padding or other alphabets', () => {
    const bytes = Uint8Array.from([0, 255, 62, 63, 1]);
    expect(b64urlDecode(b64url(bytes))).toEqual(bytes);
    expect(() => b64urlDecode('ab+/')).toThrow();
    expect(() => b64urlDecode('a')).toThrow();
  });

  it('names the device a passkey was made on', () => {
    expect(deviceLabel('Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36')).toBe('Android · Chrome');
    expect(deviceLabel('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1')).toBe(
      'iPhone/iPad · Safari',
    );
  });
});
