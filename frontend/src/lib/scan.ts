/** What a scanned QR code means to Saha. Pure: no DOM, no navigation. */

/**
 * The app's hash route a scanned text points to, or null when it is not a Saha link.
 *
 * A Saha link is an http(s) URL of this very origin, on the app's page (`/` or `/index.html`),
 * with a hash route: `https://saha.example/#/verify?code=ABCD-EFGH-JKLM` → `/verify?code=ABCD-EFGH-JKLM`.
 * Anything else (other origins, `javascript:` or `data:` URLs, plain text, a URL without `#/…`) is null.
 */
export function sahaRouteOf(text: string, origin: string): string | null {
  let url: URL;
  let own: string;
  try {
    url = new URL(text.trim());
    own = new URL(origin).origin;
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.origin !== own || url.username || url.password) return null;
  if (url.pathname !== '/' && url.pathname !== '/index.html') return null;
  const route = url.hash.slice(1);
  if (!route.startsWith('/') || route.startsWith('//') || route.length < 2) return null;
  return route;
}
