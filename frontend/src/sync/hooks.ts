import { useEffect, useState } from 'preact/hooks';
import type { OutboxItem } from '../outbox/commands';
import { getItems, onOutboxChange } from '../outbox/outbox';
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

/** Pending + rejected rows: the number on the nav badge. */
export const attentionCount = (items: OutboxItem[]): number => items.filter((it) => it.state !== 'confirmed').length;
