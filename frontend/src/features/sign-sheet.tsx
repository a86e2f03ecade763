/**
 * Signing minutes (docs/surveys.md, "Signatures"). Three ways, by who holds the phone:
 * - the signer on their own phone: draw, then their passkey (offline; the PIN if they have none here);
 * - a co-signer next to the technician, with their own phone: a QR code hands the request over
 *   (`#/cosign/…`), they review and sign there with their passkey;
 * - a co-signer without a phone of their own: draw and type their PIN here; it is sealed to the
 *   server's key and checked when it syncs (a wrong PIN is refused loudly, on this phone and theirs).
 */
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { usablePasskeys } from '../api/signing';
import { t } from '../i18n';
import { PasskeyError, PIN_LENGTH, passkeyAssertion, sealPinBox, signingMessage, type SignFields } from '../lib/signing';
import { signerOf } from '../lib/survey';
import { newId, type SignatureProof } from '../outbox/commands';
import { dispatch } from '../outbox/dispatch';
import { awaitOutcome } from '../outbox/outbox';
import { useStore } from '../store/hooks';
import type { MinutesRecord, SignerRole, SurveyRecord } from '../store/store';
import { saveBlob } from '../sync/blobs';
import { Sheet, SheetActions } from '../ui/components';
import { useOnline } from '../ui/hooks';
import { QrCode } from '../ui/qr';
import { SignaturePad, type SignaturePadHandle } from '../ui/signature-pad';
import { setupError } from './signing-setup';

export type SignMethod = 'passkey' | 'pin';
/** How a signature ended on this phone: verified by the server, or saved to send later. */
export type SignOutcome = 'verified' | 'queued';

/** How long an online signature waits for the server's verdict before saying "sent later". */
const VERDICT_WAIT_MS = 12_000;

/** The link a co-signer's phone opens (scanned in Saha, or with the phone's camera). */
export function cosignUrl(m: Pick<MinutesRecord, 'id' | 'contentHash'>, role: SignerRole, origin = location.origin): string {
  return `${origin}/#/cosign/${m.id}/${role}?h=${m.contentHash}`;
}

export function SignSheet({
  m,
  survey,
  role,
  onClose,
  onDone,
}: {
  m: MinutesRecord;
  survey: SurveyRecord;
  role: SignerRole;
  onClose: () => void;
  onDone: (o: SignOutcome) => void;
}) {
  const me = useStore((s) => s.viewer?.user.id ?? '');
  const signerId = signerOf(survey, role);
  const signer = useStore((s) => s.users[signerId]);
  const who = signer?.fullName ?? t('common.none');
  const mine = me === signerId;
  const [choice, setChoice] = useState<'passkey' | 'pin' | 'handoff' | null>(mine ? (usablePasskeys(me).length ? 'passkey' : 'pin') : null);
  const title = t('sign.title', { role: t(`minutes.role.${role}`) });

  return (
    <Sheet title={title} onClose={onClose}>
      <p>
        {t('sign.signer')}: <strong>{who}</strong>
      </p>
      {choice === null && (
        <div class="stack sign-choices" role="group" aria-label={t('sign.how')}>
          <p class="muted small">{t('sign.howExplain', { name: who })}</p>
          <button type="button" class="btn-primary wide" onClick={() => setChoice('handoff')}>
            {t('sign.handoff')}
          </button>
          <p class="muted small">{t('sign.handoffHint')}</p>
          <button type="button" class="btn-secondary wide" onClick={() => setChoice('pin')}>
            {t('sign.sharedPin')}
          </button>
          <p class="muted small">{t('sign.sharedPinHint')}</p>
          <SheetActions onCancel={onClose} />
        </div>
      )}
      {choice === 'handoff' && <Handoff m={m} role={role} who={who} onBack={() => setChoice(null)} onClose={onClose} />}
      {(choice === 'passkey' || choice === 'pin') && (
        <SignBody
          m={m}
          role={role}
          signerId={signerId}
          method={choice}
          onCancel={onClose}
          onDone={onDone}
          extra={
            mine && choice === 'pin' && usablePasskeys(me).length ? (
              <button type="button" class="btn-link" onClick={() => setChoice('passkey')}>
                {t('sign.usePasskey')}
              </button>
            ) : mine && choice === 'passkey' ? (
              <button type="button" class="btn-link" onClick={() => setChoice('pin')}>
                {t('sign.usePin')}
              </button>
            ) : null
          }
        />
      )}
    </Sheet>
  );
}

function Handoff({ m, role, who, onBack, onClose }: { m: MinutesRecord; role: SignerRole; who: string; onBack: () => void; onClose: () => void }) {
  const url = cosignUrl(m, role);
  return (
    <div class="stack handoff" data-url={url}>
      <p>{t('sign.handoffSteps', { name: who })}</p>
      <QrCode text={url} label={t('sign.handoffQr', { name: who })} />
      <p class="muted small">
        {t('minutes.verificationCode')}: <strong>{m.verificationCode}</strong>
      </p>
      <p class="muted small">{t('sign.handoffAfter')}</p>
      <SheetActions onCancel={onBack} cancel={t('common.back')} confirm={t('common.done')} onConfirm={onClose} />
    </div>
  );
}

/**
 * Draw, then prove: the signer's passkey (this phone must hold one of theirs) or their PIN.
 * Used by the sheet above and by the co-sign page.
 */
export function SignBody(props: {
  m: MinutesRecord;
  role: SignerRole;
  signerId: string;
  method: SignMethod;
  onCancel: () => void;
  onDone: (o: SignOutcome) => void;
  extra?: ComponentChildren;
}) {
  const { m, role, signerId, method } = props;
  const pad = useRef<SignaturePadHandle>(null);
  const [empty, setEmpty] = useState(true);
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const signer = useStore((s) => s.users[signerId]);
  const setup = useStore((s) => s.signing);
  const online = useOnline();
  const who = signer?.fullName ?? t('common.none');
  const noPin = method === 'pin' && signer && !signer.signingPinSetAt;
  const ready = !empty && !busy && (method === 'passkey' || pin.length === PIN_LENGTH) && !!setup && !noPin;

  async function sign(e: Event) {
    e.preventDefault();
    if (pad.current?.isEmpty()) return setError(t('sign.drawFirst'));
    if (!setup) return setError(t('sign.noSetup'));
    if (method === 'pin' && !/^\d{6}$/.test(pin)) return setError(t('pin.invalid'));
    setBusy(t('sign.working'));
    setError(null);
    try {
      const png = await pad.current!.toPng();
      const row = await saveBlob(new File([png], `imza-${role.toLowerCase()}-${m.verificationCode}.png`, { type: 'image/png' }));
      const fields: SignFields = {
        documentKind: 'minutes',
        documentId: m.id,
        contentHash: m.contentHash,
        role,
        signerId,
        signedAt: new Date().toISOString(),
        imageSha256: row.sha256,
      };
      let proof: SignatureProof;
      if (method === 'passkey') {
        setBusy(t('sign.passkeyPrompt'));
        proof = { kind: 'passkey', credential: await passkeyAssertion(fields, setup.rpId, usablePasskeys(signerId)) };
      } else {
        proof = { kind: 'pin', box: await sealPinBox({ kid: setup.pinKeyId, publicKey: setup.pinPublicKey }, pin, signingMessage(fields)) };
        setPin('');
      }
      const { signedAt, imageSha256 } = fields;
      const r = await dispatch(
        'minutes.sign',
        { id: newId(), minutesId: m.id, role, signerId, imageSha256, contentHash: m.contentHash, signedAt, proof },
        { blobRefs: [row.sha256] },
      );
      if (!r.ok) return setError(r.error.message);
      if (!online) return props.onDone('queued');
      // Online: the server verifies at once; a refusal is shown here, while the signer is present.
      setBusy(t('sign.verifying'));
      const out = await awaitOutcome(r.item.seq, VERDICT_WAIT_MS);
      if (out?.state === 'rejected') return setError(out.error?.message ?? t('sync.rejectedNoReason'));
      props.onDone(out?.state === 'confirmed' ? 'verified' : 'queued');
    } catch (err) {
      console.warn('signing failed', err);
      setError(err instanceof PasskeyError ? setupError(err) : t('error.storage'));
    } finally {
      setBusy(null);
    }
  }

  return (
    <form class="stack" onSubmit={sign} data-method={method}>
      <p class="muted small">{t('sign.declaration', { code: m.verificationCode })}</p>
      <SignaturePad padRef={pad} label={t('sign.padLabel', { name: who })} onChange={setEmpty} />
      <button type="button" class="btn-secondary" onClick={() => pad.current?.clear()}>
        {t('sign.clear')}
      </button>
      {method === 'pin' ? (
        noPin ? (
          <p class="error" role="alert">
            {t('sign.noPin', { person: who })}
          </p>
        ) : (
          <>
            <label class="lbl">
              {t('sign.pin', { name: who })}
              <input
                type="password"
                inputMode="numeric"
                autocomplete="off"
                pattern="[0-9]*"
                maxLength={PIN_LENGTH}
                value={pin}
                aria-describedby="pin-hint"
                onInput={(e) => setPin(e.currentTarget.value.replace(/\D/g, '').slice(0, PIN_LENGTH))}
              />
            </label>
            <p id="pin-hint" class="muted small">
              {online ? t('sign.pinHintOnline') : t('sign.pinHintOffline')}
            </p>
          </>
        )
      ) : (
        <p class="muted small">{t('sign.passkeyHint')}</p>
      )}
      {!setup && (
        <p class="error" role="alert">
          {t('sign.noSetup')}
        </p>
      )}
      {props.extra}
      {busy && (
        <p class="notice" role="status">
          {busy}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <SheetActions onCancel={props.onCancel} confirm={method === 'passkey' ? t('sign.confirmPasskey') : t('sign.confirm')} busy={!!busy} disabled={!ready} />
    </form>
  );
}
