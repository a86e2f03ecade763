import { saveSession } from '../api/session';
import type { WorkOrder } from '../api/types';
import { __deleteDbForTests } from '../db/idb';
import { setLang } from '../i18n';
import { wireOverlay } from '../outbox/dispatch';
import { __resetOutboxForTests, initOutbox } from '../outbox/outbox';
import { __resetForTests, hydrate, putViewer, putWorkOrders } from '../store/store';
import { __resetSyncForTests } from '../sync/engine';

type Viewer = Parameters<typeof putViewer>[0];

const future = () => new Date(Date.now() + 3600_000).toISOString();

/** A fresh client for a test: empty IndexedDB and modules, Turkish, signed in as `viewer`
 * (user id u1) with `orders` in the store and the outbox ready. */
export async function freshSignedInClient(viewer: Viewer, orders: WorkOrder[]): Promise<void> {
  __resetForTests();
  __resetOutboxForTests();
  __resetSyncForTests();
  await __deleteDbForTests();
  localStorage.clear();
  setLang('tr');
  saveSession({ accessToken: 'a', accessTokenExpiresAt: future(), refreshToken: 'r', refreshTokenExpiresAt: future() });
  await hydrate();
  putViewer(viewer);
  putWorkOrders(orders);
  await initOutbox('u1');
  wireOverlay();
}
