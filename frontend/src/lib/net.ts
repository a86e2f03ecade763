/**
 * Online/offline state: navigator.onLine + online/offline events + the outcome of real requests
 * (a failed fetch marks us offline; a successful one online — unless the browser itself says it
 * is offline: a request sent just before the connection dropped may still answer after the
 * `offline` event, and must not flip the state back).
 */
type Listener = (online: boolean) => void;
const listeners = new Set<Listener>();
const browserOffline = (): boolean => typeof navigator !== 'undefined' && navigator.onLine === false;
let online = !browserOffline();

export function isOnline(): boolean {
  return online;
}

export function setOnline(value: boolean): void {
  if (value === online) return;
  online = value;
  listeners.forEach((l) => l(online));
}

/** What a request tells us about the network. */
export function noteRequest(ok: boolean): void {
  if (ok && browserOffline()) return;
  setOnline(ok);
}

export function onNetChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => setOnline(true));
  window.addEventListener('offline', () => setOnline(false));
}
