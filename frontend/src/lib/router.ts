/** Hash router: "#/wo/12" → ["wo", "12"]. Works offline without server routing. */
import { useEffect, useState } from 'preact/hooks';

export function currentPath(): string {
  const h = typeof location === 'undefined' ? '' : location.hash;
  return h.startsWith('#') ? h.slice(1) || '/' : '/';
}

export function parsePath(path: string): string[] {
  return path.split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
}

export function navigate(path: string, replace = false): void {
  const url = `#${path}`;
  if (replace) {
    history.replaceState(null, '', url);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = path;
  }
}

export const href = (path: string): string => `#${path}`;

export function useRoute(): string[] {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const on = () => setPath(currentPath());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return parsePath(path);
}

/** A query parameter of the current hash route: "#/device/1?wo=2" → queryParam('wo') = "2". */
export function queryParam(name: string): string | null {
  const p = currentPath();
  const i = p.indexOf('?');
  return i < 0 ? null : new URLSearchParams(p.slice(i + 1)).get(name);
}
