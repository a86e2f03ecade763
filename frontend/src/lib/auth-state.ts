/** Whether a session exists locally; flips to false when refresh fails. */
import { useEffect, useState } from 'preact/hooks';
import { loadSession } from '../api/session';

type L = (signedIn: boolean, reason?: 'expired') => void;
const listeners = new Set<L>();
let signedIn = typeof localStorage !== 'undefined' && loadSession() !== null;
let lastReason: 'expired' | undefined;

export function setSignedIn(v: boolean, reason?: 'expired'): void {
  signedIn = v;
  lastReason = reason;
  listeners.forEach((l) => l(v, reason));
}

export function useSignedIn(): { signedIn: boolean; reason?: 'expired' } {
  const [s, set] = useState({ signedIn, reason: lastReason });
  useEffect(() => {
    const l: L = (v, r) => set({ signedIn: v, reason: r });
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return s;
}
