/**
 * Online/offline state: navigator.onLine + online/offline events + the outcome of real requests
 * (a failed fetch marks us offline; a successful one online).
 */
type Listener = (online: boolean) => void;
const listeners = new Set<Listener>();
let online = typeof navigator === 'undefined' ? true : navigator.onLine;

export function isOnline(): boolean {
  return online;
}

export function setOnline(value: boolean): void {
  if (value === online) return;
  online = value;
  listeners.forEach((l) => l(online));
}

export function onNetChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => setOnline(true));
  window.addEventListener('offline', () => setOnline(false));
}
