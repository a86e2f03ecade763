import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BarcodeDetector, ZXING_WASM_SHA256, prepareZXingModule } from 'barcode-detector/ponyfill';
import { describe, expect, it } from 'vitest';
import { QR_QUIET_ZONE, qrMatrix, qrSvg } from '../ui/qr';
import { sahaRouteOf } from './scan';

const ORIGIN = 'https://saha.example';
/** The very file Vite serves for `zxing-wasm/reader/zxing_reader.wasm?url` (see ui/qr-scanner.tsx). */
const WASM_PATH = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');

describe('sahaRouteOf', () => {
  it.each([
    ['https://saha.example/#/verify?code=ABCD-EFGH-JKLM', '/verify?code=ABCD-EFGH-JKLM'],
    ['https://saha.example#/wo/12', '/wo/12'],
    ['https://saha.example/index.html#/device/7?wo=3', '/device/7?wo=3'],
    ['  https://SAHA.example/#/site/4\n', '/site/4'],
    ['https://saha.example:443/#/my', '/my'],
  ])('takes the hash route of a same-origin link: %s', (text, route) => {
    // given / when
    const got = sahaRouteOf(text, ORIGIN);
    // then
    expect(got).toBe(route);
  });

  it('accepts an origin given with a trailing slash', () => {
    // given / when / then
    expect(sahaRouteOf('http://127.0.0.1:8000/#/verify?code=X', 'http://127.0.0.1:8000/')).toBe('/verify?code=X');
  });

  it.each([
    ['another origin', 'https://example.com/#/verify?code=ABCD'],
    ['a look-alike host', 'https://saha.example.evil.test/#/wo/1'],
    ['another port', 'https://saha.example:8443/#/wo/1'],
    ['another scheme', 'http://saha.example/#/wo/1'],
    ['a javascript: URL', 'javascript:alert(1)//#/wo/1'],
    ['a javascript: URL with the origin in it', `javascript:location='${ORIGIN}/#/wo/1'`],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>#/wo/1'],
    ['credentials in the URL', 'https://user:pw@saha.example/#/wo/1'],
    ['no hash', 'https://saha.example/'],
    ['an empty hash route', 'https://saha.example/#/'],
    ['a hash that is not a route', 'https://saha.example/#top'],
    ['a protocol-relative hash', 'https://saha.example/#//example.com'],
    ['another page of the origin', 'https://saha.example/api/verify/ABCD#/wo/1'],
    ['plain text', 'ABCD-EFGH-JKLM'],
    ['garbage', '\u0000\u{1F600} not a url'],
    ['an empty string', ''],
  ])('rejects %s', (_why, text) => {
    // given / when / then
    expect(sahaRouteOf(text, ORIGIN)).toBeNull();
  });

  it('rejects everything when the origin itself is not a URL', () => {
    expect(sahaRouteOf('https://saha.example/#/wo/1', 'not an origin')).toBeNull();
  });
});

/** Rasterizes a `qrMatrix` path (`M x y h w v1 h-w z` runs) to RGBA pixels, `scale` px per module. */
function rasterize(size: number, d: string, scale: number): { data: Uint8ClampedArray<ArrayBuffer>; width: number; height: number } {
  const side = size * scale;
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  for (const m of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)) {
    const [x, y, w] = [Number(m[1]), Number(m[2]), Number(m[3])];
    expect(Number(m[4])).toBe(w);
    for (let py = y * scale; py < (y + 1) * scale; py++) {
      for (let px = x * scale; px < (x + w) * scale; px++) data.fill(0, (py * side + px) * 4, (py * side + px) * 4 + 3);
    }
  }
  return { data, width: side, height: side };
}

describe('QR round trip', () => {
  it('serves the ZXing wasm that the bundled ponyfill glue was built for', () => {
    // given / when
    const sha = createHash('sha256').update(readFileSync(WASM_PATH)).digest('hex');
    // then
    expect(sha).toBe(ZXING_WASM_SHA256);
  });

  it('draws whole modules with a 4-module quiet zone, black on white', () => {
    // given / when
    const { size, d } = qrMatrix('https://saha.example/#/verify?code=ABCD-EFGH-JKLM');
    const svg = qrSvg('x');
    // then: 50 bytes need version 4 (33 modules) at level M (3 at L, 5 at Q), plus the quiet zone,
    // where nothing is drawn
    expect(size).toBe(33 + 2 * QR_QUIET_ZONE);
    for (const m of d.matchAll(/M(\d+) (\d+)h(\d+)/g)) {
      const [x, y, w] = [Number(m[1]), Number(m[2]), Number(m[3])];
      expect(x).toBeGreaterThanOrEqual(QR_QUIET_ZONE);
      expect(y).toBeGreaterThanOrEqual(QR_QUIET_ZONE);
      expect(x + w).toBeLessThanOrEqual(size - QR_QUIET_ZONE);
      expect(y + 1).toBeLessThanOrEqual(size - QR_QUIET_ZONE);
    }
    expect(svg).toContain('shape-rendering="crispEdges"');
    expect(svg).toContain('fill="#fff"');
    expect(svg).toContain('fill="#000"');
  });

  it('decodes what QrCode draws back to the Saha route, with the same ZXing the scanner uses', async () => {
    // given: the ponyfill fed the wasm from disk (in the app it is fetched from our own origin)
    await prepareZXingModule({ overrides: { wasmBinary: readFileSync(WASM_PATH).buffer }, fireImmediately: true });
    const detector = new BarcodeDetector({ formats: ['qr_code'] });
    const texts = ['http://127.0.0.1:8000/#/verify?code=ABCD-EFGH-JKLM', 'Saha · Görüntülü İzleme — ğüşıöç ĞÜŞİÖÇ'];
    for (const text of texts) {
      const { size, d } = qrMatrix(text);
      const pixels = rasterize(size, d, 4);
      const image = new ImageData(pixels.data, pixels.width, pixels.height);
      // when
      const found = await detector.detect(image);
      // then
      expect(found.map((b) => [b.format, b.rawValue])).toEqual([['qr_code', text]]);
    }
    expect(sahaRouteOf(texts[0], 'http://127.0.0.1:8000')).toBe('/verify?code=ABCD-EFGH-JKLM');
  });
});
