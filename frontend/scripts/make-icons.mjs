// Writes the PWA icons (PNG + SVG) using only Node built-ins (zlib for PNG's deflate).
// Run: `npm run icons`. Output is committed in public/icons/.
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const OUT = new URL('../public/icons/', import.meta.url);
mkdirSync(OUT, { recursive: true });

const BG = [0x0d, 0x4f, 0x6c];
const FG = [0xff, 0xff, 0xff];
const ACCENT = [0xf2, 0xa9, 0x00];

// --- PNG encoding -----------------------------------------------------------
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// --- Shapes in unit coordinates (0..1), as signed distance functions ---------
const roundRect = (cx, cy, hw, hh, r) => (x, y) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;

/** Camera glyph centred at (0.5, 0.5) scaled by s (1 = fills ~70% of the square). */
function layers(s, fullBleed) {
  const k = (v) => 0.5 + (v - 0.5) * s;
  const ks = (v) => v * s;
  return [
    // background
    [fullBleed ? () => -1 : roundRect(0.5, 0.5, 0.5, 0.5, 0.18), BG],
    // camera body
    [roundRect(k(0.46), k(0.5), ks(0.3), ks(0.2), ks(0.06)), FG],
    // lens housing (side)
    [roundRect(k(0.8), k(0.5), ks(0.07), ks(0.12), ks(0.03)), FG],
    // lens ring
    [circle(k(0.46), k(0.5), ks(0.13)), BG],
    [circle(k(0.46), k(0.5), ks(0.085)), FG],
    [circle(k(0.46), k(0.5), ks(0.045)), BG],
    // recording light
    [circle(k(0.27), k(0.37), ks(0.03)), ACCENT],
  ];
}

function render(size, s, fullBleed) {
  const buf = Buffer.alloc(size * size * 4);
  const L = layers(s, fullBleed);
  const SS = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const x = (px + (sx + 0.5) / SS) / size;
          const y = (py + (sy + 0.5) / SS) / size;
          let col = null;
          for (const [sdf, c] of L) if (sdf(x, y) <= 0) col = c;
          if (col) {
            r += col[0];
            g += col[1];
            b += col[2];
            a += 255;
          }
        }
      }
      const n = SS * SS;
      const i = (py * size + px) * 4;
      const alpha = a / n;
      buf[i] = alpha ? Math.round((r / n) * (255 / alpha)) : 0;
      buf[i + 1] = alpha ? Math.round((g / n) * (255 / alpha)) : 0;
      buf[i + 2] = alpha ? Math.round((b / n) * (255 / alpha)) : 0;
      buf[i + 3] = Math.round(alpha);
    }
  }
  return png(size, buf);
}

for (const size of [192, 512]) {
  writeFileSync(new URL(`icon-${size}.png`, OUT), render(size, 1, false));
  // maskable: full-bleed background, glyph inside the 80 % safe zone
  writeFileSync(new URL(`maskable-${size}.png`, OUT), render(size, 0.72, true));
}
writeFileSync(new URL('apple-touch-icon.png', OUT), render(180, 0.8, true));

const hex = (c) => '#' + c.map((v) => v.toString(16).padStart(2, '0')).join('');
const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" role="img" aria-label="Saha">
<rect width="100" height="100" rx="18" fill="${hex(BG)}"/>
<rect x="16" y="30" width="60" height="40" rx="6" fill="${hex(FG)}"/>
<rect x="73" y="38" width="14" height="24" rx="3" fill="${hex(FG)}"/>
<circle cx="46" cy="50" r="13" fill="${hex(BG)}"/>
<circle cx="46" cy="50" r="8.5" fill="${hex(FG)}"/>
<circle cx="46" cy="50" r="4.5" fill="${hex(BG)}"/>
<circle cx="27" cy="37" r="3" fill="${hex(ACCENT)}"/>
</svg>
`;
writeFileSync(new URL('icon.svg', OUT), svg);
console.log('icons written to', OUT.pathname);
