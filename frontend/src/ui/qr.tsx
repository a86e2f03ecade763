/**
 * QR codes drawn as SVG, fully offline (the `uqr` encoder is bundled; nothing is fetched).
 * Error correction M, a 4-module quiet zone, black on white. One `<path>` of module runs in a
 * viewBox of whole modules, so it stays sharp at any size and DPR.
 */
import { useMemo } from 'preact/hooks';
import { encode } from 'uqr';

/** Quiet zone around the symbol, in modules (ISO/IEC 18004 asks for 4). */
export const QR_QUIET_ZONE = 4;

export interface QrMatrix {
  /** Side of the whole picture in modules, quiet zone included. */
  size: number;
  /** SVG path of the dark modules (one rectangle per horizontal run), in module units. */
  d: string;
}

/** Encodes `text` (UTF-8) and turns the dark modules into a path, quiet zone included. */
export function qrMatrix(text: string): QrMatrix {
  const qr = encode(text, { ecc: 'M', border: 0 });
  const q = QR_QUIET_ZONE;
  let d = '';
  qr.data.forEach((row, y) => {
    let x = 0;
    while (x < row.length) {
      if (!row[x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < row.length && row[x]) x++;
      d += `M${start + q} ${y + q}h${x - start}v1h${start - x}z`;
    }
  });
  return { size: qr.size + 2 * q, d };
}

/** The QR code of `text` as a standalone SVG document (no label; used by tests and downloads). */
export function qrSvg(text: string): string {
  const { size, d } = qrMatrix(text);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${size * 8}" height="${size * 8}" shape-rendering="crispEdges">` +
    `<rect width="${size}" height="${size}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`
  );
}

/** A QR code as wide as the screen allows, up to about 320 px (see `.qr` in styles.css). */
export function QrCode({ text, label }: { text: string; label: string }) {
  const { size, d } = useMemo(() => qrMatrix(text), [text]);
  return (
    <svg class="qr" role="img" aria-label={label} viewBox={`0 0 ${size} ${size}`} shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg">
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
