/**
 * Live QR scanner: the rear camera, a framing overlay, a few decodes a second, one result.
 *
 * Decoder: the browser's own `BarcodeDetector` when it reads `qr_code`; otherwise the
 * `barcode-detector` ponyfill (ZXing in WebAssembly), imported lazily so nobody who never scans
 * downloads it. Its `.wasm` comes from our own origin as a Vite asset (never its default CDN), and
 * the service worker precaches it with the rest of the build, so scanning works offline.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import zxingWasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';
import { t, type MessageKey } from '../i18n';

export type DecoderKind = 'native' | 'zxing';

/** What both decoders have in common (the Shape Detection API's `BarcodeDetector`). */
interface QrDetector {
  detect(image: HTMLCanvasElement): Promise<{ rawValue: string }[]>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): QrDetector;
  getSupportedFormats(): Promise<readonly string[]>;
}

/** Time between two decode attempts (about four a second). */
const SCAN_INTERVAL_MS = 250;
/** Frames are scaled down to at most this many pixels on their long side before decoding. */
const MAX_FRAME_SIDE = 960;

/** The native detector if it reads QR codes, else the ZXing ponyfill with its wasm from our origin. */
async function loadDetector(): Promise<{ kind: DecoderKind; detector: QrDetector }> {
  const Native = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (Native) {
    try {
      if ((await Native.getSupportedFormats()).includes('qr_code')) return { kind: 'native', detector: new Native({ formats: ['qr_code'] }) };
    } catch {
      /* a broken native implementation: fall back to ZXing */
    }
  }
  const { BarcodeDetector, prepareZXingModule, purgeZXingModule } = await import('barcode-detector/ponyfill');
  const wasm = new URL(zxingWasmUrl, location.href).href;
  // Instantiate now, so a wasm that cannot be fetched or compiled fails here and not on every frame.
  try {
    await prepareZXingModule({
      overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasm : prefix + path) },
      fireImmediately: true,
    });
  } catch (e) {
    purgeZXingModule(); // the failed attempt is cached otherwise: let the next scanner try again
    throw e;
  }
  return { kind: 'zxing', detector: new BarcodeDetector({ formats: ['qr_code'] }) };
}

/** The translated message for a `getUserMedia` failure. */
function cameraError(e: unknown): MessageKey {
  const name = e instanceof DOMException || e instanceof Error ? e.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'scan.denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'scan.noCamera';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'scan.cameraBusy';
    default:
      return 'scan.cameraFailed';
  }
}

function stopStream(stream: MediaStream | null): void {
  stream?.getTracks().forEach((track) => track.stop());
}

type Phase = { state: 'starting' } | { state: 'scanning' } | { state: 'done' } | { state: 'error'; message: MessageKey };

export function QrScanner({ onResult, onCancel }: { onResult: (text: string) => void; onCancel: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  /** Stops scanning and the camera; set by the effect below. */
  const stopRef = useRef<() => void>(() => undefined);
  const [phase, setPhase] = useState<Phase>({ state: 'starting' });
  const [decoder, setDecoder] = useState<DecoderKind | null>(null);
  // The latest callbacks, so a parent re-render does not restart the camera.
  const callbacks = useRef({ onResult, onCancel });
  callbacks.current = { onResult, onCancel };

  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = () => {
      alive = false;
      clearTimeout(timer);
      stopStream(stream.current);
      stream.current = null;
      if (video.current) video.current.srcObject = null;
    };
    stopRef.current = stop;
    const fail = (message: MessageKey) => {
      if (!alive) return;
      stop();
      setPhase({ state: 'error', message });
    };

    if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
      fail('scan.insecure');
      return stop;
    }

    const camera = navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }).then(
      (s) => {
        // Unmounted (or failed) while the permission prompt was open: let go of the camera at once.
        if (!alive) return stopStream(s);
        stream.current = s;
        const v = video.current;
        if (v) {
          v.srcObject = s;
          v.play().catch(() => undefined);
        }
      },
      (e: unknown) => fail(cameraError(e)),
    );
    const detector = loadDetector().then(
      (d) => {
        if (alive) setDecoder(d.kind);
        return d.detector;
      },
      (e: unknown) => {
        console.warn('QR decoder failed to load', e);
        fail('scan.decoderFailed');
        return null;
      },
    );

    void Promise.all([camera, detector]).then(([, det]) => {
      if (!alive || !det) return;
      setPhase({ state: 'scanning' });
      const canvas = document.createElement('canvas');
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      const tick = async () => {
        const v = video.current;
        if (!alive || !ctx) return;
        if (v && v.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && v.videoWidth > 0) {
          const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(v.videoWidth, v.videoHeight));
          canvas.width = Math.round(v.videoWidth * scale);
          canvas.height = Math.round(v.videoHeight * scale);
          ctx.drawImage(v, 0, 0, canvas.width, canvas.height);
          try {
            const text = (await det.detect(canvas)).find((c) => c.rawValue)?.rawValue;
            if (text && alive) {
              stop();
              setPhase({ state: 'done' });
              callbacks.current.onResult(text);
              return;
            }
          } catch (e) {
            console.warn('QR decode failed', e);
          }
        }
        if (alive) timer = setTimeout(() => void tick(), SCAN_INTERVAL_MS);
      };
      void tick();
    });

    return stop;
  }, []);

  const cancel = () => {
    stopRef.current();
    callbacks.current.onCancel();
  };

  const error = phase.state === 'error' ? phase.message : null;
  return (
    <section class="qr-scanner" aria-label={t('scan.scanner')} data-decoder={decoder ?? ''} data-state={phase.state}>
      {!error && (
        <div class="qr-view">
          <video ref={video} muted playsInline autoplay aria-hidden="true" />
          <div class="qr-frame" aria-hidden="true" />
        </div>
      )}
      {error ? (
        <p class="error" role="alert">
          {t(error)}
        </p>
      ) : (
        <p class="muted" role="status">
          {phase.state === 'starting' ? t('scan.starting') : t('scan.aim')}
        </p>
      )}
      <button type="button" class="btn-secondary wide" onClick={cancel}>
        {t('common.cancel')}
      </button>
    </section>
  );
}
