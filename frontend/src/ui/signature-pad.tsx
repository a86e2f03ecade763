/**
 * A small signature pad: a canvas drawn on with pointer events (finger, pen or mouse), exported
 * as PNG. White background so the image reads the same on any viewer.
 */
import { useEffect, useImperativeHandle, useRef } from 'preact/hooks';
import type { Ref } from 'preact';
import { t } from '../i18n';

export interface SignaturePadHandle {
  isEmpty(): boolean;
  clear(): void;
  /** The drawing as PNG bytes. */
  toPng(): Promise<Blob>;
}

const HEIGHT = 180;

export function SignaturePad({ padRef, label, onChange }: { padRef: Ref<SignaturePadHandle>; label: string; onChange?: (empty: boolean) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const strokes = useRef(0);
  const last = useRef<{ x: number; y: number } | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  function ctx(): CanvasRenderingContext2D | null {
    return canvas.current?.getContext('2d') ?? null;
  }

  function reset(): void {
    const c = canvas.current;
    const g = ctx();
    if (!c || !g) return;
    const ratio = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
    const width = c.clientWidth || 320;
    c.width = Math.round(width * ratio);
    c.height = Math.round(HEIGHT * ratio);
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, width, HEIGHT);
    g.strokeStyle = '#111827';
    g.lineWidth = 2.5;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    strokes.current = 0;
    changed.current?.(true);
  }

  useEffect(reset, []);

  useImperativeHandle(padRef, () => ({
    isEmpty: () => strokes.current === 0,
    clear: reset,
    toPng: () =>
      new Promise<Blob>((resolve, reject) => {
        const c = canvas.current;
        if (!c) return reject(new Error('no canvas'));
        c.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/png');
      }),
  }));

  const point = (e: PointerEvent) => {
    const r = canvas.current!.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const down = (e: PointerEvent) => {
    e.preventDefault();
    canvas.current?.setPointerCapture?.(e.pointerId);
    const p = point(e);
    last.current = p;
    const g = ctx();
    if (g) {
      g.beginPath();
      g.arc(p.x, p.y, 1.2, 0, Math.PI * 2);
      g.fillStyle = '#111827';
      g.fill();
    }
  };
  const move = (e: PointerEvent) => {
    if (!last.current) return;
    e.preventDefault();
    const g = ctx();
    const p = point(e);
    if (g) {
      g.beginPath();
      g.moveTo(last.current.x, last.current.y);
      g.lineTo(p.x, p.y);
      g.stroke();
    }
    last.current = p;
  };
  const up = () => {
    if (!last.current) return;
    last.current = null;
    strokes.current += 1;
    onChange?.(false);
  };

  return (
    <div class="sigpad">
      <canvas
        ref={canvas}
        class="sigpad-canvas"
        style={{ height: `${HEIGHT}px` }}
        role="img"
        aria-label={label}
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={up}
        onPointerLeave={up}
      />
      <p class="muted small">{t('sign.padHint')}</p>
    </div>
  );
}
