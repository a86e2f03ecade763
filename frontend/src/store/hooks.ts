import { useEffect, useRef, useState } from 'preact/hooks';
import { getState, subscribe, type State } from './store';

/** Re-renders the component whenever the store changes; returns the selected value. */
export function useStore<T>(select: (s: State) => T): T {
  const [, force] = useState(0);
  const seen = useRef<State | null>(null);
  seen.current = getState();
  useEffect(() => {
    const off = subscribe(() => force((n) => n + 1));
    // A change between the render and this subscription would otherwise be missed.
    if (getState() !== seen.current) force((n) => n + 1);
    return off;
  }, []);
  return select(getState());
}
