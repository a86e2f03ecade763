import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { GraphQLRequestError, NetworkError, SessionExpiredError } from '../api/client';
import { t, onLangChange } from '../i18n';
import { isOnline, onNetChange } from '../lib/net';

export interface LoadState {
  loading: boolean;
  /** Message to show; null when the last load worked. */
  error: string | null;
  /** The last attempt could not reach the server (cached data is shown). */
  offline: boolean;
  reload: () => void;
}

/** Runs `fn` (a query function that fills the store) on mount, on `key` change and when back online. */
export function useLoader(key: string, fn: () => Promise<unknown>): LoadState {
  const [st, set] = useState({ loading: true, error: null as string | null, offline: false });
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const seq = useRef(0);
  const run = useCallback(async () => {
    const my = ++seq.current;
    if (typeof navigator !== 'undefined' && !navigator.onLine) {
      set({ loading: false, error: null, offline: true });
      return;
    }
    set((s) => ({ ...s, loading: true }));
    try {
      await fnRef.current();
      if (my === seq.current) set({ loading: false, error: null, offline: false });
    } catch (e) {
      if (my !== seq.current) return;
      if (e instanceof NetworkError) set({ loading: false, error: null, offline: true });
      else if (e instanceof SessionExpiredError) set({ loading: false, error: null, offline: false });
      else if (e instanceof GraphQLRequestError) set({ loading: false, error: e.message, offline: false });
      else set({ loading: false, error: t('error.unexpected'), offline: false });
    }
  }, []);
  useEffect(() => {
    void run();
  }, [run, key]);
  useEffect(() => onNetChange((online) => online && void run()), [run]);
  return { ...st, reload: () => void run() };
}

/** Re-render on language change. */
export function useLang(): void {
  const [, force] = useState(0);
  useEffect(() => onLangChange(() => force((n) => n + 1)), []);
}

export function useOnline(): boolean {
  const [o, set] = useState(isOnline());
  useEffect(() => {
    const off = onNetChange(set);
    set(isOnline()); // it may have changed between the first render and this subscription
    return off;
  }, []);
  return o;
}
