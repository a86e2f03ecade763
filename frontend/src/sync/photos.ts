/**
 * Every photo the app takes goes through `savePhoto`: it is made upright (EXIF orientation applied
 * to the pixels), scaled so its long edge is at most `maxEdge`, re-encoded as JPEG, and given back
 * its GPS and capture time (a minimal EXIF segment, see exif.ts) before `saveBlob` hashes and keeps
 * it. A photo that already fits and is upright is kept as it is; one the browser cannot decode
 * (HEIC in Chromium) too. Signatures and other non-photo blobs use `saveBlob` directly.
 */
import { buildExifSegment, insertExifSegment, isJpeg, readExif } from './exif';
import { saveBlob, type BlobRow } from './blobs';

export interface PhotoSettings {
  /** Longest side in pixels after resizing. */
  maxEdge: number;
  /** JPEG quality, 0–1. */
  quality: number;
}

export const PHOTO_DEFAULTS: PhotoSettings = { maxEdge: 1600, quality: 0.8 };
/** localStorage key: JSON `{"maxEdge": 2048, "quality": 0.85}` overrides the defaults on this device. */
export const PHOTO_SETTINGS_KEY = 'saha.photo';
const EDGE_RANGE = [320, 8192] as const;
const QUALITY_RANGE = [0.3, 0.95] as const;

const clamp = (x: number, [lo, hi]: readonly [number, number]) => Math.min(hi, Math.max(lo, x));

/** The settings from their stored JSON (null, bad JSON or values out of range fall back / clamp). */
export function parsePhotoSettings(raw: string | null | undefined): PhotoSettings {
  let v: Partial<Record<keyof PhotoSettings, unknown>> = {};
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    if (parsed && typeof parsed === 'object') v = parsed;
  } catch {
    /* keep the defaults */
  }
  const n = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  const edge = n(v.maxEdge);
  const q = n(v.quality);
  return {
    maxEdge: edge === null ? PHOTO_DEFAULTS.maxEdge : Math.round(clamp(edge, EDGE_RANGE)),
    quality: q === null ? PHOTO_DEFAULTS.quality : clamp(q, QUALITY_RANGE),
  };
}

/** The long-edge choices the account screen offers (the default among them). */
export const PHOTO_EDGE_CHOICES = [1280, 1600, 2048] as const;

/** Stores this device's choice (kept in localStorage like the language). */
export function setPhotoSettings(p: PhotoSettings): void {
  try {
    globalThis.localStorage?.setItem(PHOTO_SETTINGS_KEY, JSON.stringify(parsePhotoSettings(JSON.stringify(p))));
  } catch {
    /* private mode: the defaults stay */
  }
}

export function photoSettings(): PhotoSettings {
  try {
    return parsePhotoSettings(globalThis.localStorage?.getItem(PHOTO_SETTINGS_KEY));
  } catch {
    return PHOTO_DEFAULTS;
  }
}

export type ResizePlan = { resize: false; reason: 'fits' } | { resize: true; width: number; height: number };

/**
 * Whether to re-encode, and to what size. `width`/`height` are the upright (decoded, orientation
 * applied) size; `orientation` is the file's EXIF orientation (1 = already upright).
 */
export function planResize(p: { width: number; height: number; orientation: number; maxEdge: number }): ResizePlan {
  const long = Math.max(p.width, p.height);
  if (long <= p.maxEdge && p.orientation === 1) return { resize: false, reason: 'fits' };
  const scale = Math.min(1, p.maxEdge / long);
  return { resize: true, width: Math.max(1, Math.round(p.width * scale)), height: Math.max(1, Math.round(p.height * scale)) };
}

/** "IMG_0042.HEIC" → "IMG_0042.jpg". */
export const jpegName = (name: string): string => `${name.replace(/\.[^./]*$/, '') || 'foto'}.jpg`;

async function encodeJpeg(bmp: ImageBitmap, width: number, height: number, quality: number): Promise<Blob> {
  if (typeof OffscreenCanvas !== 'undefined') {
    const c = new OffscreenCanvas(width, height);
    const g = c.getContext('2d');
    if (!g) throw new Error('no 2d context');
    g.imageSmoothingQuality = 'high';
    g.drawImage(bmp, 0, 0, width, height);
    return c.convertToBlob({ type: 'image/jpeg', quality });
  }
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const g = c.getContext('2d');
  if (!g) throw new Error('no 2d context');
  g.imageSmoothingQuality = 'high';
  g.drawImage(bmp, 0, 0, width, height);
  return new Promise((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/jpeg', quality));
}

/** The photo as it should be stored and uploaded (see the module comment). */
export async function preparePhoto(file: File, settings: PhotoSettings = photoSettings()): Promise<File> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const exif = isJpeg(bytes) ? readExif(bytes) : null;
  let bmp: ImageBitmap;
  try {
    bmp = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return file; // the browser cannot decode it (e.g. HEIC): keep the original
  }
  try {
    const plan = planResize({ width: bmp.width, height: bmp.height, orientation: exif?.orientation ?? 1, maxEdge: settings.maxEdge });
    if (!plan.resize) return file;
    let out: Uint8Array<ArrayBuffer> = new Uint8Array(await (await encodeJpeg(bmp, plan.width, plan.height, settings.quality)).arrayBuffer());
    if (exif && (exif.gps.length || exif.dateTimeOriginal)) out = insertExifSegment(out, buildExifSegment(exif));
    return new File([out], jpegName(file.name), { type: 'image/jpeg', lastModified: file.lastModified });
  } catch {
    return file; // encoding failed (memory on an old phone): the original is still better than nothing
  } finally {
    bmp.close();
  }
}

/** Resizes (when needed) and keeps the photo on the device; the hash is of the stored bytes. */
export async function savePhoto(file: File): Promise<BlobRow> {
  return saveBlob(await preparePhoto(file));
}
