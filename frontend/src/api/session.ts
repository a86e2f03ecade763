/** Tokens kept in localStorage so the app stays signed in offline and across reloads. */
export const SESSION_STORAGE_KEY = 'saha.session';

export interface StoredSession {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

export function loadSession(): StoredSession | null {
  try {
    const raw = localStorage.getItem(SESSION_STORAGE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as StoredSession;
    return s && typeof s.accessToken === 'string' && typeof s.refreshToken === 'string' ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s: StoredSession): void {
  const { accessToken, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt } = s;
  localStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ accessToken, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt }));
}

export function clearSession(): void {
  localStorage.removeItem(SESSION_STORAGE_KEY);
}

/** True when the access token is expired (or within `skewMs` of expiring). */
export function accessTokenExpired(s: StoredSession, now = Date.now(), skewMs = 15_000): boolean {
  const exp = Date.parse(s.accessTokenExpiresAt);
  return Number.isFinite(exp) ? exp - skewMs <= now : false;
}
