/**
 * Photos offline: bytes go to IndexedDB `blobs` (by SHA-256) at once, the attach command references
 * the hash, and the bytes are uploaded with tus to `/uploads/` when online (resumable: the upload
 * URL is kept in the row and tus keeps its fingerprint). Others' photos come from `/blobs/<sha>`
 * with the bearer token. The service worker never touches either path.
 */
import { Upload } from 'tus-js-client';
import { refreshSession } from '../api/client';
import { accessTokenExpired, loadSession } from '../api/session';
import { STORES, promisify, withTx } from '../db/idb';

export const UPLOAD_ENDPOINT = '/uploads/';
export const CHUNK_SIZE = 5 * 1024 * 1024;

export interface BlobRow {
  sha256: string;
  bytes: ArrayBuffer;
  contentType: string;
  filename: string;
  size: number;
  createdAt: string;
  uploaded: boolean;
  uploadUrl?: string | null;
}

export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', data);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

type Listener = () => void;
const listeners = new Set<Listener>();
export function onBlobsChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
const emit = () => listeners.forEach((l) => l());

/** Bytes sent / total of the uploads running now (by SHA-256), in memory only; gone once uploaded. */
export interface UploadProgress {
  sent: number;
  total: number;
}
const progress = new Map<string, UploadProgress>();
const progressListeners = new Set<Listener>();
export function getUploadProgress(sha: string): UploadProgress | undefined {
  return progress.get(sha);
}
export function onUploadProgress(l: Listener): () => void {
  progressListeners.add(l);
  return () => progressListeners.delete(l);
}
function setProgress(sha: string, p: UploadProgress | null): void {
  if (p) progress.set(sha, p);
  else progress.delete(sha);
  progressListeners.forEach((l) => l());
}

/** Keeps the file's bytes on the device; returns the row (hash, type). Photos go through `savePhoto` (photos.ts) first. */
export async function saveBlob(file: Blob & { name?: string }): Promise<BlobRow> {
  const bytes = await file.arrayBuffer();
  const sha256 = await sha256Hex(bytes);
  const row: BlobRow = {
    sha256,
    bytes,
    contentType: file.type || 'application/octet-stream',
    filename: file.name || `${sha256.slice(0, 12)}.jpg`,
    size: bytes.byteLength,
    createdAt: new Date().toISOString(),
    uploaded: false,
  };
  await withTx([STORES.blobs], 'readwrite', async (tx) => {
    const os = tx.objectStore(STORES.blobs);
    const old = await promisify(os.get(sha256) as IDBRequest<BlobRow | undefined>);
    if (!old) os.put(row);
  });
  emit();
  return row;
}

export async function getBlobRow(sha: string): Promise<BlobRow | undefined> {
  return withTx([STORES.blobs], 'readonly', (tx) => promisify(tx.objectStore(STORES.blobs).get(sha) as IDBRequest<BlobRow | undefined>));
}

async function patchBlob(sha: string, patch: Partial<BlobRow>): Promise<void> {
  await withTx([STORES.blobs], 'readwrite', async (tx) => {
    const os = tx.objectStore(STORES.blobs);
    const row = await promisify(os.get(sha) as IDBRequest<BlobRow | undefined>);
    if (row) os.put({ ...row, ...patch });
  });
  emit();
}

/** Rows not yet uploaded (without their bytes' size mattering). */
export async function pendingUploads(): Promise<BlobRow[]> {
  const rows = await withTx([STORES.blobs], 'readonly', (tx) => promisify(tx.objectStore(STORES.blobs).getAll() as IDBRequest<BlobRow[]>));
  return rows.filter((r) => !r.uploaded);
}

const urls = new Map<string, Promise<string | null>>();

/** An object URL for a blob: the local bytes when we have them, else GET /blobs/<sha> with the token. */
export function blobUrl(sha: string): Promise<string | null> {
  let p = urls.get(sha);
  if (!p) {
    p = (async () => {
      const row = await getBlobRow(sha).catch(() => undefined);
      if (row) return URL.createObjectURL(new Blob([row.bytes], { type: row.contentType }));
      const s = loadSession();
      const res = await fetch(`/blobs/${sha}`, { headers: s ? { Authorization: `Bearer ${s.accessToken}` } : {}, cache: 'no-store' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return URL.createObjectURL(await res.blob());
    })();
    p.catch(() => urls.delete(sha)); // try again next time (e.g. back online)
    urls.set(sha, p);
  }
  return p;
}

let uploading: Promise<void> | null = null;

/** Uploads every pending blob, one after the other. */
export function uploadPending(): Promise<void> {
  if (!uploading) {
    uploading = (async () => {
      for (const row of await pendingUploads()) {
        if (typeof navigator !== 'undefined' && !navigator.onLine) return;
        await uploadOne(row);
      }
    })().finally(() => {
      uploading = null;
    });
  }
  return uploading;
}

async function uploadOne(row: BlobRow): Promise<void> {
  const session = loadSession();
  if (!session) return;
  // Each request reads the session again (onBeforeRequest): refresh it first when it has expired.
  if (accessTokenExpired(session)) await refreshSession();
  await new Promise<void>((resolve, reject) => {
    const upload = new Upload(new Blob([row.bytes], { type: row.contentType }), {
      endpoint: UPLOAD_ENDPOINT,
      uploadUrl: row.uploadUrl ?? null,
      chunkSize: CHUNK_SIZE,
      retryDelays: [0, 1000, 3000, 5000],
      metadata: { sha256: row.sha256, filetype: row.contentType, filename: row.filename },
      fingerprint: async () => `saha-blob-${row.sha256}`,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onBeforeRequest: (req) => {
        const s = loadSession();
        if (s) req.setHeader('Authorization', `Bearer ${s.accessToken}`);
      },
      onUploadUrlAvailable: () => {
        if (upload.url) void patchBlob(row.sha256, { uploadUrl: upload.url });
      },
      onProgress: (sent, total) => setProgress(row.sha256, { sent, total }),
      onSuccess: () => {
        void patchBlob(row.sha256, { uploaded: true, uploadUrl: null })
          .then(() => setProgress(row.sha256, null))
          .then(resolve, reject);
      },
      onError: (e) => {
        setProgress(row.sha256, null); // waits for the next sync; tus resumes from the server's offset
        reject(e);
      },
    });
    if (row.uploadUrl) {
      upload.start();
      return;
    }
    upload
      .findPreviousUploads()
      .then((prev) => {
        if (prev.length) upload.resumeFromPreviousUpload(prev[0]);
        upload.start();
      })
      .catch(() => upload.start());
  });
}
