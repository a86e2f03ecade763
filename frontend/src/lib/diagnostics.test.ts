import { afterEach, describe, expect, it } from 'vitest';
import { initLang, setLang } from '../i18n';
import {
  canOpenFault,
  evidenceRows,
  formatChange,
  healthTotals,
  overallLabel,
  severity,
  shaFromBlobUrl,
  sortByVerdict,
  sortSiteHealth,
  sourceLabel,
  verdictLabel,
} from './diagnostics';

afterEach(() => {
  localStorage.clear();
  initLang();
});

const SHA = 'ab'.repeat(32);

describe('diagnostics helpers', () => {
  it('labels every verdict of a check in Turkish', () => {
    expect(['OK', 'WARNING', 'FAIL', 'NOT_SUPPORTED', 'SKIPPED'].map(verdictLabel)).toEqual(['Tamam', 'Uyarı', 'Hata', 'Desteklenmiyor', 'Yapılmadı']);
  });

  it('labels the overall verdict and the source in Turkish, and in English when chosen', () => {
    expect(['OK', 'WARNING', 'FAIL'].map(overallLabel)).toEqual(['Sağlam', 'Uyarı', 'Arızalı']);
    expect(['REMOTE', 'PROBE', 'NIGHTLY', 'WEEKLY'].map(sourceLabel)).toEqual(['Uzaktan', 'Sahada (probe)', 'Gece taraması', 'Haftalık kayıt kontrolü']);
    setLang('en');
    expect(overallLabel('FAIL')).toBe('Faulty');
    expect(verdictLabel('NOT_SUPPORTED')).toBe('Not supported');
  });

  it('orders checks worst first and keeps the run order among equals', () => {
    // given
    const rows = [
      { check: 'tcp', verdict: 'OK' },
      { check: 'clock', verdict: 'WARNING' },
      { check: 'ptz', verdict: 'NOT_SUPPORTED' },
      { check: 'snapshot', verdict: 'FAIL' },
      { check: 'firmware', verdict: 'WARNING' },
      { check: 'image', verdict: 'SKIPPED' },
    ];
    // when
    const sorted = sortByVerdict(rows).map((r) => r.check);
    // then
    expect(sorted).toEqual(['snapshot', 'clock', 'firmware', 'tcp', 'ptz', 'image']);
    expect(severity('WHATEVER')).toBe(severity('SKIPPED'));
  });

  it('offers a fault work order only for a warning or a failure', () => {
    expect(['OK', 'WARNING', 'FAIL', 'SKIPPED'].map(canOpenFault)).toEqual([false, true, true, false]);
  });

  it('formats a check change in Europe/Istanbul time', () => {
    // 23:00 UTC is 02:00 the next day in İstanbul
    expect(formatChange({ label: 'Saat', at: '2026-11-20T23:00:00Z', before: 'OK', after: 'FAIL' })).toBe('Saat: Tamam → Hata, 21.11.2026 02:00');
    expect(formatChange({ label: 'Saat', at: '2026-11-20T23:00:00Z', before: null, after: 'WARNING' })).toBe('Saat: Uyarı, 21.11.2026 02:00');
  });

  it('takes the SHA-256 out of a blob URL and nothing else', () => {
    expect(shaFromBlobUrl(`/blobs/${SHA}`)).toBe(SHA);
    expect(shaFromBlobUrl(`https://x.example/blobs/${SHA.toUpperCase()}`)).toBe(SHA);
    expect(shaFromBlobUrl('/blobs/abc')).toBeNull();
    expect(shaFromBlobUrl(null)).toBeNull();
  });

  it('shows evidence as key/value rows, nested values as pretty JSON', () => {
    expect(evidenceRows({ driftS: 12, host: '10.0.0.5', profiles: [{ name: 'main' }] })).toEqual([
      { key: 'driftS', value: '12', json: false },
      { key: 'host', value: '10.0.0.5', json: false },
      { key: 'profiles', value: '[\n  {\n    "name": "main"\n  }\n]', json: true },
    ]);
    expect(evidenceRows({})).toEqual([]);
    expect(evidenceRows(null)).toEqual([]);
  });

  it('sorts sites by failures, then warnings, then never checked, and adds up the totals', () => {
    // given
    const rows = [
      { siteCode: 'B', ok: 5, warning: 0, fail: 0, unchecked: 1 },
      { siteCode: 'A', ok: 1, warning: 2, fail: 1, unchecked: 0 },
      { siteCode: 'C', ok: 0, warning: 3, fail: 1, unchecked: 0 },
      { siteCode: 'D', ok: 2, warning: 0, fail: 0, unchecked: 1 },
    ];
    // when / then
    expect(sortSiteHealth(rows).map((r) => r.siteCode)).toEqual(['C', 'A', 'B', 'D']);
    expect(healthTotals(rows)).toEqual({ ok: 8, warning: 5, fail: 2, unchecked: 2 });
  });
});
