import { beforeEach, describe, expect, it } from 'vitest';
import { diagnosisFromRecord, localCheckChanges, syncedDiagnostics } from './diagnostics';
import { __resetForTests, applyChanges, getState, type DiagnosisRecord } from './store';

const SHA = 'a'.repeat(64);

function rec(id: string, startedAt: string, results: DiagnosisRecord['results'], extra: Partial<DiagnosisRecord> = {}): DiagnosisRecord {
  return {
    id,
    deviceId: 'dv1',
    workOrderId: null,
    source: 'NIGHTLY',
    requestedById: null,
    startedAt,
    finishedAt: startedAt,
    overall: 'OK',
    results,
    deviceInfo: {},
    snapshotSha256: null,
    referenceSha256: null,
    recordedAt: startedAt,
    version: 1,
    ...extra,
  };
}

beforeEach(() => __resetForTests());

describe('diagnosisFromRecord', () => {
  it('maps the synced shape to what GraphQL deviceDiagnoses gives: verdict names, Turkish labels, blob urls', () => {
    // given: a synced diagnosis (stored JSON results with lower-case verdict values)
    const r = rec(
      'd1',
      '2026-11-22T02:00:00+00:00',
      [
        { check: 'clock', verdict: 'fail', message: 'Saat 9 dk geri', evidence: { driftS: -540 }, durationMs: 12 },
        { check: 'ptz', verdict: 'not_supported' },
        { check: 'mystery', verdict: 'ok', message: '' },
      ],
      { overall: 'FAIL', snapshotSha256: SHA, referenceSha256: null, workOrderId: 'w1' },
    );
    // when
    const d = diagnosisFromRecord(r);
    // then
    expect(d).toEqual({
      id: 'd1',
      deviceId: 'dv1',
      workOrderId: 'w1',
      source: 'NIGHTLY',
      startedAt: '2026-11-22T02:00:00+00:00',
      finishedAt: '2026-11-22T02:00:00+00:00',
      overall: 'FAIL',
      results: [
        { check: 'clock', label: 'Saat', verdict: 'FAIL', message: 'Saat 9 dk geri', evidence: { driftS: -540 }, durationMs: 12 },
        { check: 'ptz', label: 'PTZ', verdict: 'NOT_SUPPORTED', message: '', evidence: {}, durationMs: 0 },
        { check: 'mystery', label: 'mystery', verdict: 'OK', message: '', evidence: {}, durationMs: 0 },
      ],
      deviceInfo: {},
      snapshotUrl: `/blobs/${SHA}`,
      referenceUrl: null,
    });
  });
});

describe('localCheckChanges', () => {
  it('mirrors check_changes: first result, each change, skipped ignored, newest first', () => {
    // given: three diagnoses, out of order
    const ds = [
      rec('d3', '2026-11-22T02:00:00+00:00', [
        { check: 'clock', verdict: 'fail', message: 'geri' },
        { check: 'tcp', verdict: 'ok' },
      ]),
      rec('d1', '2026-11-20T02:00:00+00:00', [
        { check: 'clock', verdict: 'ok', message: 'tamam' },
        { check: 'tcp', verdict: 'ok' },
      ]),
      rec('d2', '2026-11-21T02:00:00+00:00', [
        { check: 'clock', verdict: 'skipped' },
        { check: 'tcp', verdict: 'ok' },
        { check: 'ptz', verdict: 'not_supported' },
      ]),
    ];
    // when
    const changes = localCheckChanges(ds);
    // then
    expect(changes).toEqual([
      { check: 'clock', label: 'Saat', at: '2026-11-22T02:00:00+00:00', before: 'OK', after: 'FAIL', message: 'geri', diagnosisId: 'd3' },
      { check: 'ptz', label: 'PTZ', at: '2026-11-21T02:00:00+00:00', before: null, after: 'NOT_SUPPORTED', message: '', diagnosisId: 'd2' },
      { check: 'clock', label: 'Saat', at: '2026-11-20T02:00:00+00:00', before: null, after: 'OK', message: 'tamam', diagnosisId: 'd1' },
      { check: 'tcp', label: 'Ağ erişimi', at: '2026-11-20T02:00:00+00:00', before: null, after: 'OK', message: '', diagnosisId: 'd1' },
    ]);
    expect(localCheckChanges([])).toEqual([]);
  });
});

describe('syncedDiagnostics', () => {
  it("gives the device's latest result and its diagnoses latest first, from what the pull stored", () => {
    // given
    const older = rec('d1', '2026-11-20T02:00:00+00:00', [{ check: 'clock', verdict: 'ok' }]);
    const latest = rec('d2', '2026-11-22T02:00:00+00:00', [{ check: 'clock', verdict: 'fail', message: 'geri' }], { overall: 'FAIL', source: 'REMOTE' });
    const other = rec('d9', '2026-11-23T02:00:00+00:00', [], { deviceId: 'dv2' });
    applyChanges([
      ...[older, latest, other].map((d) => ({ entity: 'diagnosis', id: d.id, version: 1, op: 'UPSERT' as const, data: { ...d } })),
      {
        entity: 'deviceHealth',
        id: 'h1',
        version: 1,
        op: 'UPSERT',
        data: {
          deviceId: 'dv1',
          siteId: 's1',
          overall: 'FAIL',
          checks: { clock: 'fail' },
          lastDiagnosisId: 'd2',
          lastCheckedAt: '2026-11-22T02:01:00+00:00',
          since: '2026-11-22T02:01:00+00:00',
        },
      },
      {
        entity: 'deviceReference',
        id: 'r1',
        version: 1,
        op: 'UPSERT',
        data: { deviceId: 'dv1', imageSha256: SHA, reason: 'Kabul', setById: 'u1', setAt: '2026-11-01T10:00:00+00:00' },
      },
    ]);
    // when
    const got = syncedDiagnostics(getState(), 'dv1')!;
    // then
    expect(got.latest?.id).toBe('d2');
    expect(got.latest?.results[0]).toMatchObject({ label: 'Saat', verdict: 'FAIL', message: 'geri' });
    expect(got.history.diagnoses.map((d) => d.id)).toEqual(['d2', 'd1']);
    expect(got.history.changes.map((c) => [c.diagnosisId, c.after])).toEqual([
      ['d2', 'FAIL'],
      ['d1', 'OK'],
    ]);
    expect(got.history.reference).toEqual({ imageSha256: SHA, url: `/blobs/${SHA}`, reason: 'Kabul', setAt: '2026-11-01T10:00:00+00:00' });
    expect(got.history.loadedAt).toBe('2026-11-22T02:01:00+00:00');
    // and: a device with nothing synced
    expect(syncedDiagnostics(getState(), 'dv3')).toBeNull();
  });
});
