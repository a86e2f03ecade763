/**
 * Just enough EXIF for photos the phone re-encodes: read the orientation, the capture time and the
 * whole GPS IFD from a JPEG, and write them back as a minimal APP1 segment (orientation 1, since
 * the pixels are upright by then). Canvas re-encoding drops every metadata segment; this keeps
 * where and when the photo was taken. No dependency; big-endian output.
 */

/** One IFD entry as read: numbers for BYTE/SHORT/LONG/UNDEFINED, pairs for (S)RATIONAL, text for ASCII. */
export interface ExifEntry {
  tag: number;
  type: number;
  values: number[] | string;
}

export interface ExifInfo {
  orientation: number;
  /** "YYYY:MM:DD HH:MM:SS" (DateTimeOriginal, else DateTime). */
  dateTimeOriginal: string | null;
  /** The GPS IFD as found (lat/lon/alt, refs, time stamp …), in tag order; empty when none. */
  gps: ExifEntry[];
}

const T = { BYTE: 1, ASCII: 2, SHORT: 3, LONG: 4, RATIONAL: 5, UNDEFINED: 7, SLONG: 9, SRATIONAL: 10 } as const;
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };
const TAG = { orientation: 0x0112, dateTime: 0x0132, exifIfd: 0x8769, gpsIfd: 0x8825, dateTimeOriginal: 0x9003 } as const;
const GPS = { latRef: 1, lat: 2, lonRef: 3, lon: 4 } as const;
const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"

export const isJpeg = (b: Uint8Array): boolean => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** The TIFF bytes of the first Exif APP1 segment (before the image data), or null. */
function findExifTiff(b: Uint8Array): Uint8Array | null {
  if (!isJpeg(b)) return null;
  let i = 2;
  while (i + 4 <= b.length && b[i] === 0xff) {
    const marker = b[i + 1];
    if (marker === 0xda || marker === 0xd9) return null; // start of scan / end: no more metadata
    const len = (b[i + 2] << 8) | b[i + 3];
    if (marker === 0xe1 && len >= 8 && EXIF_HEADER.every((v, k) => b[i + 4 + k] === v)) return b.subarray(i + 10, Math.min(b.length, i + 2 + len));
    i += 2 + len;
  }
  return null;
}

function readIfd(v: DataView, offset: number, le: boolean): Map<number, ExifEntry> {
  const out = new Map<number, ExifEntry>();
  if (offset < 8 || offset + 2 > v.byteLength) return out;
  const n = v.getUint16(offset, le);
  for (let k = 0; k < n; k++) {
    const e = offset + 2 + k * 12;
    if (e + 12 > v.byteLength) break;
    const tag = v.getUint16(e, le);
    const type = v.getUint16(e + 2, le);
    const count = v.getUint32(e + 4, le);
    const size = TYPE_SIZE[type];
    if (!size || count > 0xffff) continue;
    const at = size * count <= 4 ? e + 8 : v.getUint32(e + 8, le);
    if (at + size * count > v.byteLength) continue;
    let values: number[] | string;
    if (type === T.ASCII) {
      let s = '';
      for (let j = 0; j < count; j++) {
        const c = v.getUint8(at + j);
        if (c === 0) break;
        s += String.fromCharCode(c);
      }
      values = s;
    } else {
      values = [];
      for (let j = 0; j < count; j++) {
        const p = at + j * size;
        if (type === T.BYTE || type === T.UNDEFINED) values.push(v.getUint8(p));
        else if (type === T.SHORT) values.push(v.getUint16(p, le));
        else if (type === T.LONG) values.push(v.getUint32(p, le));
        else if (type === T.SLONG) values.push(v.getInt32(p, le));
        else if (type === T.RATIONAL) values.push(v.getUint32(p, le), v.getUint32(p + 4, le));
        else values.push(v.getInt32(p, le), v.getInt32(p + 4, le));
      }
    }
    out.set(tag, { tag, type, values });
  }
  return out;
}

const num = (e: ExifEntry | undefined): number | null => (e && typeof e.values !== 'string' && e.values.length ? e.values[0] : null);
const str = (e: ExifEntry | undefined): string | null => (e && typeof e.values === 'string' && e.values ? e.values : null);

/** Orientation, capture time and GPS of a JPEG; null when it has no (readable) EXIF. */
export function readExif(jpeg: Uint8Array): ExifInfo | null {
  const tiff = findExifTiff(jpeg);
  if (!tiff || tiff.length < 8) return null;
  const v = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const order = v.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) return null;
  const le = order === 0x4949;
  if (v.getUint16(2, le) !== 42) return null;
  const ifd0 = readIfd(v, v.getUint32(4, le), le);
  const exifAt = num(ifd0.get(TAG.exifIfd));
  const gpsAt = num(ifd0.get(TAG.gpsIfd));
  const exif = exifAt ? readIfd(v, exifAt, le) : new Map<number, ExifEntry>();
  const gps = gpsAt ? [...readIfd(v, gpsAt, le).values()].sort((a, b) => a.tag - b.tag) : [];
  const o = num(ifd0.get(TAG.orientation));
  return {
    orientation: o && o >= 1 && o <= 8 ? o : 1,
    dateTimeOriginal: str(exif.get(TAG.dateTimeOriginal)) ?? str(ifd0.get(TAG.dateTime)),
    gps,
  };
}

/** Decimal degrees from a GPS IFD (south and west negative), or null without a position. */
export function gpsDecimal(gps: ExifEntry[]): { lat: number; lon: number } | null {
  const by = new Map(gps.map((e) => [e.tag, e]));
  const deg = (e: ExifEntry | undefined): number | null => {
    if (!e || typeof e.values === 'string' || e.values.length < 6) return null;
    const [a, b, c, d, f, g] = e.values;
    if (!b || !d || !g) return null;
    return a / b + c / d / 60 + f / g / 3600;
  };
  const lat = deg(by.get(GPS.lat));
  const lon = deg(by.get(GPS.lon));
  if (lat === null || lon === null) return null;
  return { lat: str(by.get(GPS.latRef)) === 'S' ? -lat : lat, lon: str(by.get(GPS.lonRef)) === 'W' ? -lon : lon };
}

// --- writing ------------------------------------------------------------------------------

function entryBytes(e: ExifEntry): Uint8Array {
  if (typeof e.values === 'string') {
    const out = new Uint8Array(e.values.length + 1);
    for (let j = 0; j < e.values.length; j++) out[j] = e.values.charCodeAt(j) & 0x7f;
    return out;
  }
  const size = TYPE_SIZE[e.type];
  const per = e.type === T.RATIONAL || e.type === T.SRATIONAL ? 4 : size;
  const out = new Uint8Array(e.values.length * per);
  const v = new DataView(out.buffer);
  e.values.forEach((x, j) => {
    if (per === 1) v.setUint8(j, x);
    else if (per === 2) v.setUint16(j * 2, x);
    else if (e.type === T.SLONG || e.type === T.SRATIONAL) v.setInt32(j * 4, x);
    else v.setUint32(j * 4, x);
  });
  return out;
}

const count = (e: ExifEntry): number =>
  typeof e.values === 'string' ? e.values.length + 1 : e.type === T.RATIONAL || e.type === T.SRATIONAL ? e.values.length / 2 : e.values.length;

const even = (n: number) => n + (n & 1);
const ifdSize = (entries: ExifEntry[]) => 2 + entries.length * 12 + 4 + entries.map(entryBytes).reduce((s, b) => s + (b.length > 4 ? even(b.length) : 0), 0);

/** Writes one IFD (and its out-of-line values right after it) at `offset` of `out`. */
function writeIfd(out: Uint8Array, offset: number, entries: ExifEntry[]): void {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  v.setUint16(offset, entries.length);
  let data = offset + 2 + entries.length * 12 + 4;
  entries.forEach((e, k) => {
    const p = offset + 2 + k * 12;
    const bytes = entryBytes(e);
    v.setUint16(p, e.tag);
    v.setUint16(p + 2, e.type);
    v.setUint32(p + 4, count(e));
    if (bytes.length <= 4) out.set(bytes, p + 8);
    else {
      v.setUint32(p + 8, data);
      out.set(bytes, data);
      data += even(bytes.length);
    }
  });
  v.setUint32(offset + 2 + entries.length * 12, 0); // no next IFD
}

/** A complete APP1 segment (marker included): orientation 1, the capture time, the GPS IFD. */
export function buildExifSegment(info: { dateTimeOriginal: string | null; gps: ExifEntry[] }): Uint8Array {
  const gps = [...info.gps].sort((a, b) => a.tag - b.tag);
  const exif: ExifEntry[] = info.dateTimeOriginal ? [{ tag: TAG.dateTimeOriginal, type: T.ASCII, values: info.dateTimeOriginal }] : [];
  const ifd0: ExifEntry[] = [{ tag: TAG.orientation, type: T.SHORT, values: [1] }];
  if (exif.length) ifd0.push({ tag: TAG.exifIfd, type: T.LONG, values: [0] });
  if (gps.length) ifd0.push({ tag: TAG.gpsIfd, type: T.LONG, values: [0] });
  const exifAt = 8 + ifdSize(ifd0);
  const gpsAt = exifAt + (exif.length ? ifdSize(exif) : 0);
  for (const e of ifd0) {
    if (e.tag === TAG.exifIfd) e.values = [exifAt];
    if (e.tag === TAG.gpsIfd) e.values = [gpsAt];
  }
  const tiffLen = gpsAt + (gps.length ? ifdSize(gps) : 0);
  const seg = new Uint8Array(4 + EXIF_HEADER.length + tiffLen);
  const tiff = seg.subarray(4 + EXIF_HEADER.length);
  const len = seg.length - 2;
  if (len > 0xffff) throw new Error('EXIF segment too large');
  seg.set([0xff, 0xe1, len >> 8, len & 0xff, ...EXIF_HEADER]);
  tiff.set([0x4d, 0x4d, 0, 42, 0, 0, 0, 8]);
  writeIfd(tiff, 8, ifd0);
  if (exif.length) writeIfd(tiff, exifAt, exif);
  if (gps.length) writeIfd(tiff, gpsAt, gps);
  return seg;
}

/** The JPEG with `segment` placed after SOI (and after a JFIF APP0, which must stay first); any old Exif APP1 is dropped. */
export function insertExifSegment(jpeg: Uint8Array, segment: Uint8Array): Uint8Array<ArrayBuffer> {
  if (!isJpeg(jpeg)) throw new Error('not a JPEG');
  const parts: Uint8Array[] = [jpeg.subarray(0, 2)];
  let i = 2;
  let placed = false;
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1];
    if (marker === 0xda) break;
    const end = i + 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
    const isExif = marker === 0xe1 && EXIF_HEADER.every((v, k) => jpeg[i + 4 + k] === v);
    if (marker !== 0xe0 && !placed) {
      parts.push(segment);
      placed = true;
    }
    if (!isExif) parts.push(jpeg.subarray(i, end));
    i = end;
  }
  if (!placed) parts.push(segment);
  parts.push(jpeg.subarray(i));
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
