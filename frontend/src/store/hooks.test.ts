import { h, render } from 'preact';
import { beforeEach, describe, expect, it } from 'vitest';
import { useStore } from './hooks';
import { __resetForTests, update } from './store';

const settle = () => new Promise((r) => setTimeout(r, 50));

beforeEach(() => {
  __resetForTests();
});

describe('store hooks', () => {
  it('useStore does not miss a change made between the first render and its subscription', async () => {
    // given
    const root = document.createElement('div');
    const Count = () => h('span', null, String(useStore((s) => Object.keys(s.surveys).length)));
    render(h(Count, null), root);
    expect(root.textContent).toBe('0');
    // when: the store changes before the effect has subscribed
    update((s) => ({ ...s, surveys: { sv1: { id: 'sv1' } as never } }));
    await settle();
    // then
    expect(root.textContent).toBe('1');
    render(null, root);
  });
});
