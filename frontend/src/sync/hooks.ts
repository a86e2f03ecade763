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
  useEffect(() => onSyncStatus(set), []);
  return s;
}

/** Pending + rejected rows: the number on the nav badge. */
export const attentionCount = (items: OutboxItem[]): number => items.filter((it) => it.state !== 'confirmed').length;
