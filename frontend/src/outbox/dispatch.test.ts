import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { saveSession } from '../api/session';
import { setLang } from '../i18n';
import { __resetForTests, getState, putWorkOrders } from '../store/store';
import { makeWorkOrder } from '../test/factories';
import { COMMANDS, makeEnvelope } from './commands';
import { CLIENT_ERROR, dispatch, mutationFor } from './dispatch';

const future = () => new Date(Date.now() + 3600_000).toISOString();

function signedIn(): void {
  saveSession({ accessToken: 'acc-1', accessTokenExpiresAt: future(), refreshToken: 'ref-1', refreshTokenExpiresAt: future() });
}

function jsonResponse(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
}

beforeEach(() => {
  __resetForTests();
  localStorage.clear();
  setLang('tr');
  signedIn();
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('dispatch', () => {
  it('has one mutation per contract command name', () => {
    expect(Object.keys(COMMANDS).sort()).toEqual(
      ['workorder.addNote', 'workorder.approve', 'workorder.assign', 'workorder.close', 'workorder.create', 'workorder.return', 'workorder.start', 'workorder.submit'].sort(),
    );
    expect(mutationFor('workorder.start')).toContain('startWorkOrder(input: $input)');
    expect(mutationFor('workorder.return')).toContain('$input: ReturnWorkOrderInput!');
  });

  it('builds plain-JSON envelopes with an id and the base version', () => {
    // given
    const args = { workOrderId: 'w1', text: 'not', extra: undefined } as unknown as { workOrderId: string; text: string };
    // when
    const a = makeEnvelope('workorder.addNote', args, { 'workOrder:w1': 3 }, new Date('2026-11-22T08:00:00Z'));
    const b = makeEnvelope('workorder.addNote', args);
    // then
    expect(a).toMatchObject({ name: 'workorder.addNote', args: { workOrderId: 'w1', text: 'not' }, baseVersions: { 'workOrder:w1': 3 }, createdAt: '2026-11-22T08:00:00.000Z' });
    expect('extra' in a.args).toBe(false);
    expect(a.mutationId).not.toBe(b.mutationId);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it('sends the mutation and puts the returned work order into the store', async () => {
    // given
    putWorkOrders([makeWorkOrder()]);
    const fetchMock = vi.fn(async (_url: string, _init: RequestInit) =>
      jsonResponse({ data: { result: { __typename: 'WorkOrderSuccess', workOrder: makeWorkOrder({ status: 'IN_PROGRESS', version: 2 }) } } }),
    );
    vi.stubGlobal('fetch', fetchMock);
    // when
    const r = await dispatch('workorder.start', { workOrderId: 'w1' });
    // then
    expect(r.ok).toBe(true);
    expect(getState().workOrders.w1.status).toBe('IN_PROGRESS');
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/graphql');
    const headers = init.headers as Record<string, string>;
    expect(headers.Authorization).toBe('Bearer acc-1');
    expect(headers['Accept-Language']).toBe('tr');
    const body = JSON.parse(String(init.body));
    expect(body.variables).toEqual({ input: { workOrderId: 'w1' } });
  });

  it('returns the typed OperationError and leaves the store unchanged', async () => {
    // given
    putWorkOrders([makeWorkOrder({ status: 'SUBMITTED' })]);
    vi.stubGlobal('fetch', vi.fn(async () =>
      jsonResponse({ data: { result: { __typename: 'OperationError', code: 'WORKORDER_REASON_REQUIRED', message: 'İade nedeni zorunludur.', field: 'reason' } } }),
    ));
    // when
    const r = await dispatch('workorder.return', { workOrderId: 'w1', reason: '' });
    // then
    expect(r).toEqual({ ok: false, error: { code: 'WORKORDER_REASON_REQUIRED', message: 'İade nedeni zorunludur.', field: 'reason' } });
    expect(getState().workOrders.w1.status).toBe('SUBMITTED');
  });

  it('reports an offline network failure as a clear message, not a crash', async () => {
    // given
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch'); }));
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    // when
    const r = await dispatch('workorder.addNote', { workOrderId: 'w1', text: 'Lens temizlendi' });
    // then
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(CLIENT_ERROR.offline);
      expect(r.error.message).toContain('Çevrimdışı');
    }
  });

  it('refreshes the session once on AUTH_REQUIRED and retries with the new token', async () => {
    // given
    const calls: { auth?: string; query: string }[] = [];
    vi.stubGlobal('fetch', vi.fn(async (_u: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body));
      const auth = (init.headers as Record<string, string>).Authorization;
      calls.push({ auth, query: body.query });
      if (body.query.includes('refreshSession')) {
        return jsonResponse({ data: { refreshSession: { __typename: 'SessionSuccess', session: {
          accessToken: 'acc-2', accessTokenExpiresAt: future(), refreshToken: 'ref-2', refreshTokenExpiresAt: future(),
          viewer: { user: { id: 'u1', username: 'teknisyen', fullName: 'Ali', role: 'TECHNICIAN', region: null }, permissions: ['workorders.start'] },
        } } } });
      }
      if (auth === 'Bearer acc-1') return jsonResponse({ data: null, errors: [{ message: 'Oturum gerekli', extensions: { code: 'AUTH_REQUIRED' } }] });
      return jsonResponse({ data: { result: { __typename: 'WorkOrderSuccess', workOrder: makeWorkOrder({ status: 'IN_PROGRESS' }) } } });
    }));
    // when
    const r = await dispatch('workorder.start', { workOrderId: 'w1' });
    // then
    expect(r.ok).toBe(true);
    expect(calls.map((c) => c.auth)).toEqual(['Bearer acc-1', undefined, 'Bearer acc-2']);
    expect(JSON.parse(localStorage.getItem('saha.session')!).refreshToken).toBe('ref-2');
  });

  it('gives up with AUTH_SESSION_EXPIRED when the refresh is refused', async () => {
    // given
    vi.stubGlobal('fetch', vi.fn(async (_u: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body));
      if (body.query.includes('refreshSession')) {
        return jsonResponse({ data: { refreshSession: { __typename: 'OperationError', code: 'AUTH_SESSION_EXPIRED', message: 'Oturum sona erdi', field: null } } });
      }
      return jsonResponse({ data: null, errors: [{ message: 'x', extensions: { code: 'AUTH_SESSION_EXPIRED' } }] });
    }));
    // when
    const r = await dispatch('workorder.start', { workOrderId: 'w1' });
    // then
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('AUTH_SESSION_EXPIRED');
    expect(localStorage.getItem('saha.session')).toBeNull();
  });
});
