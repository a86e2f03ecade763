import { useEffect, useState } from 'preact/hooks';
import type { OutboxItem } from '../outbox/commands';
import { getItems, onOutboxChange } from '../outbox/outbox';
import { getUploadProgress, onBlobsChange, onUploadProgress, pendingUploads } from './blobs';
import { getSyncStatus, onSyncStatus, type SyncStatus } from './engine';

export function useOutbox(): OutboxItem[] {
  const [items, set] = useState(getItems());
  useEffect(() => {
    set(getItems());
    return onOutboxChange(set);
  }, []);
  return items;
}

export function useSyncStatus(): SyncStatus {
  const [s, set] = useState(getSyncStatus());
  useEffect(() => {
    const off = onSyncStatus(set);
    set(getSyncStatus()); // it may have changed between the first render and this subscription
    return off;
  }, []);
  return s;
}

/** Pending + rejected rows, plus photos not uploaded yet: the number on the nav badge. */
export const attentionCount = (items: OutboxItem[], uploads = 0): number => items.filter((it) => it.state !== 'confirmed').length + uploads;

/** A photo (or signature image) on the device that the server does not have yet. */
export interface PendingUpload {
  sha256: string;
  filename: string;
  /** Bytes sent by the running upload (0 when it waits). */
  sent: number;
  total: number;
  /** True while tus is sending it. */
  active: boolean;
}

/** The blobs waiting for upload, with live progress; refreshed on every change and progress event. */
export function usePendingUploads(): PendingUpload[] {
  const [rows, setRows] = useState<{ sha256: string; filename: string; size: number }[]>([]);
  const [, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    const load = () =>
      void pendingUploads().then(
        (r) => alive && setRows(r.map(({ sha256, filename, size }) => ({ sha256, filename, size }))),
        () => undefined,
      );
    load();
    const offBlobs = onBlobsChange(load);
    const offProgress = onUploadProgress(() => setTick((n) => n + 1));
    return () => {
      alive = false;
      offBlobs();
      offProgress();
    };
  }, []);
  return rows.map((r) => {
    const p = getUploadProgress(r.sha256);
    return { sha256: r.sha256, filename: r.filename, sent: p?.sent ?? 0, total: p?.total ?? r.size, active: !!p };
  });
}

/** Sync screen phase: "in sync" only when nothing waits to upload either. */
export type ScreenPhase = SyncStatus['phase'] | 'uploading';
export function screenPhase(phase: SyncStatus['phase'], online: boolean, uploads: number): ScreenPhase {
  if (!online && phase !== 'syncing') return 'offline';
  return phase === 'idle' && uploads > 0 ? 'uploading' : phase;
}
