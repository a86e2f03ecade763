import { useEffect, useState } from 'preact/hooks';
import { getState, subscribe, type State } from './store';

/** Re-renders the component whenever the store changes; returns the selected value. */
export function useStore<T>(select: (s: State) => T): T {
  const [, force] = useState(0);
  useEffect(() => subscribe(() => force((n) => n + 1)), []);
  return select(getState());
}
