import { describe, expect, it } from 'vitest';
import type { OutboxItem } from '../outbox/commands';
import { attentionCount, screenPhase } from './hooks';

describe('screenPhase', () => {
  it('says "in sync" only when no photo waits to upload', () => {
    expect(screenPhase('idle', true, 0)).toBe('idle');
    expect(screenPhase('idle', true, 2)).toBe('uploading');
  });

  it('keeps offline, failed and syncing as they are', () => {
    expect(screenPhase('idle', false, 1)).toBe('offline');
    expect(screenPhase('failed', true, 1)).toBe('failed');
    expect(screenPhase('syncing', false, 1)).toBe('syncing');
  });
});

const makeItem = (p: Pick<OutboxItem, 'state'>) => p as OutboxItem;

describe('attentionCount', () => {
  it('counts unconfirmed outbox rows and photos not uploaded yet', () => {
    const items = [makeItem({ state: 'queued' }), makeItem({ state: 'confirmed' }), makeItem({ state: 'rejected' })];
    expect(attentionCount(items)).toBe(2);
    expect(attentionCount(items, 1)).toBe(3);
  });
});
