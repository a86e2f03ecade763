import { describe, expect, it } from 'vitest';
import { buildExifSegment, gpsDecimal, insertExifSegment, readExif, type ExifEntry } from './exif';

/** A phone-style EXIF (little-endian, written by Pillow): orientation 6, DateTimeOriginal, GPS 39°55'12.34" S 32°51'30.5" W, 912.5 m. */
const LE_JPEG_B64 =
  '/9j/4QEKRXhpZgAASUkqAAgAAAAEABABAgALAAAAPgAAABIBAwABAAAABgAAAGmHBAABAAAASgAAACWIBAABAAAAcAAAAAAAAABTYWhhIFBob25lAAABAAOQAgAUAAAAXAAAAAAAAAAyMDI2OjEyOjA1IDE0OjAzOjIyAAcAAAABAAQAAAACAwAAAQACAAIAAABTAAAAAgAFAAMAAADKAAAAAwACAAIAAABXAAAABAAFAAMAAADiAAAABQABAAEAAAAAAAAABgAFAAEAAAD6AAAAAAAAACcAAAABAAAANwAAAAEAAABpAgAAMgAAACAAAAABAAAAMwAAAAEAAAA9AAAAAgAAACEHAAACAAAA/9oAAhEi/9k=';
const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/** SOI, a JFIF APP0, a DQT-like segment, SOS + entropy bytes, EOI: the shape canvas encoders produce. */
function canvasLikeJpeg(): Uint8Array {
  const app0 = [0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const dqt = [0xff, 0xdb, 0, 4, 0, 7];
  const sos = [0xff, 0xda, 0, 4, 1, 2, 0xab, 0xcd, 0xef];
  return Uint8Array.from([0xff, 0xd8, ...app0, ...dqt, ...sos, 0xff, 0xd9]);
}

const segments = (j: Uint8Array): number[] => {
  const out: number[] = [];
  for (let i = 2; i + 4 <= j.length && j[i] === 0xff && j[i + 1] !== 0xda; i += 2 + ((j[i + 2] << 8) | j[i + 3])) out.push(j[i + 1]);
  return out;
};

describe('readExif', () => {
  it('reads orientation, capture time and the whole GPS IFD of a little-endian EXIF', () => {
    // given / when
    const got = readExif(bytes(LE_JPEG_B64))!;
    // then
    expect(got.orientation).toBe(6);
    expect(got.dateTimeOriginal).toBe('2026:12:05 14:03:22');
    expect(got.gps.map((e) => e.tag)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(got.gps.find((e) => e.tag === 6)!.values).toEqual([1825, 2]);
    const pos = gpsDecimal(got.gps)!;
    expect(pos.lat).toBeCloseTo(-(39 + 55 / 60 + 12.34 / 3600), 8);
    expect(pos.lon).toBeCloseTo(-(32 + 51 / 60 + 30.5 / 3600), 8);
  });

  it('gives null for a JPEG without EXIF and for bytes that are no JPEG', () => {
    expect(readExif(canvasLikeJpeg())).toBeNull();
    expect(readExif(Uint8Array.from([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
  });
});

describe('buildExifSegment + insertExifSegment', () => {
  it('writes GPS and capture time that read back the same, with orientation 1', () => {
    // given: what a phone photo carried
    const src = readExif(bytes(LE_JPEG_B64))!;
    // when: the re-encoded (metadata-free) JPEG gets the segment
    const out = insertExifSegment(canvasLikeJpeg(), buildExifSegment(src));
    // then: it reads back identical, upright
    const back = readExif(out)!;
    expect(back.orientation).toBe(1);
    expect(back.dateTimeOriginal).toBe(src.dateTimeOriginal);
    expect(back.gps).toEqual(src.gps);
    expect(gpsDecimal(back.gps)).toEqual(gpsDecimal(src.gps));
  });

  it('keeps JFIF APP0 first, the image data intact, and replaces an older Exif segment', () => {
    // given: a canvas-like JPEG that already has an Exif segment
    const base = canvasLikeJpeg();
    const first = insertExifSegment(base, buildExifSegment({ dateTimeOriginal: '2020:01:01 00:00:00', gps: [] }));
    // when: another one is inserted
    const gps: ExifEntry[] = [
      { tag: 1, type: 2, values: 'N' },
      { tag: 2, type: 5, values: [41, 1, 0, 1, 12345, 1000] },
    ];
    const out = insertExifSegment(first, buildExifSegment({ dateTimeOriginal: null, gps }));
    // then: one APP1, after APP0; the scan bytes unchanged; only the new metadata
    expect(segments(out)).toEqual([0xe0, 0xe1, 0xdb]);
    expect(Array.from(out.slice(-11))).toEqual(Array.from(base.slice(-11)));
    const back = readExif(out)!;
    expect(back.dateTimeOriginal).toBeNull();
    expect(back.gps).toEqual(gps);
  });

  it('writes only the orientation when there is nothing else to keep', () => {
    const out = insertExifSegment(canvasLikeJpeg(), buildExifSegment({ dateTimeOriginal: null, gps: [] }));
    expect(readExif(out)).toEqual({ orientation: 1, dateTimeOriginal: null, gps: [] });
  });
});
