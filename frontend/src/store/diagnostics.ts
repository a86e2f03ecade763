/**
 * Diagnoses kept on the device by `syncPull` (docs/diagnostics.md), shaped like the GraphQL
 * `deviceDiagnoses` / `deviceCheckChanges` answers so the device page renders them the same way
 * when it is offline or its GraphQL load fails.
 */
import type { CheckChange, CheckResult, DeviceHistory, Diagnosis } from '../api/diagnostics';
import type { DiagnosisRecord, State } from './store';

/** backend/domain/diagnostics/commands.py CHECK_LABELS_TR (what GraphQL sends as `label`). */
export const CHECK_LABELS_TR: Record<string, string> = {
  tcp: 'Ağ erişimi',
  onvif: 'ONVIF',
  auth: 'Kimlik doğrulama',
  device_info: 'Cihaz bilgisi',
  firmware: 'Yazılım sürümü',
  clock: 'Saat',
  network: 'Ağ arayüzleri',
  profiles: 'Görüntü profilleri',
  stream_uri: 'Yayın adresi',
  snapshot: 'Anlık görüntü',
  image_health: 'Görüntü sağlığı',
  ptz: 'PTZ',
  retention: 'Kayıt saklama süresi',
  recording_active: 'Kayıt devam ediyor mu',
};

export const checkLabel = (check: string): string => CHECK_LABELS_TR[check] ?? check;
/** Stored verdict value ("not_supported") → GraphQL enum name ("NOT_SUPPORTED"). */
export const verdictName = (v: string): string => v.toUpperCase();
const blobUrl = (sha: string | null | undefined): string | null => (sha ? `/blobs/${sha}` : null);

/** A synced `diagnosis` in the shape of GraphQL `Diagnosis` (pure). */
export function diagnosisFromRecord(r: DiagnosisRecord): Diagnosis {
  const results: CheckResult[] = (r.results ?? []).map((x) => ({
    check: x.check,
    label: checkLabel(x.check),
    verdict: verdictName(x.verdict),
    message: x.message ?? '',
    evidence: x.evidence ?? {},
    durationMs: Number(x.durationMs ?? 0),
  }));
  return {
    id: r.id,
    deviceId: r.deviceId,
    workOrderId: r.workOrderId ?? null,
    source: r.source,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    overall: r.overall,
    results,
    deviceInfo: r.deviceInfo ?? {},
    snapshotUrl: blobUrl(r.snapshotSha256),
    referenceUrl: blobUrl(r.referenceSha256),
  };
}

/**
 * When each check's verdict changed, newest first: backend/domain/diagnostics/queries.py
 * `check_changes` (skipped checks ignored), with GraphQL's verdict names and Turkish labels.
 */
export function localCheckChanges(diagnoses: readonly DiagnosisRecord[]): CheckChange[] {
  const changes: CheckChange[] = [];
  const last = new Map<string, string>();
  const oldestFirst = [...diagnoses].sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  for (const d of oldestFirst) {
    for (const r of d.results ?? []) {
      if (r.verdict === 'skipped') continue;
      const before = last.get(r.check);
      if (before === r.verdict) continue;
      changes.push({
        check: r.check,
        label: checkLabel(r.check),
        at: d.startedAt,
        before: before ? verdictName(before) : null,
        after: verdictName(r.verdict),
        message: r.message ?? '',
        diagnosisId: d.id,
      });
      last.set(r.check, r.verdict);
    }
  }
  // Newest first; equal times keep their order (Python's sorted(reverse=True) is stable too).
  return changes.sort((a, b) => (a.at > b.at ? -1 : a.at < b.at ? 1 : 0));
}

export interface SyncedDiagnostics {
  /** From `deviceHealth.lastDiagnosisId`, when that diagnosis is on the device. */
  latest: Diagnosis | null;
  history: DeviceHistory;
}

/** What the device has synced about one device's diagnoses (null when nothing). */
export function syncedDiagnostics(s: State, deviceId: string): SyncedDiagnostics | null {
  const records = Object.values(s.diagnoses)
    .filter((d) => d.deviceId === deviceId)
    .sort((a, b) => (a.startedAt > b.startedAt ? -1 : a.startedAt < b.startedAt ? 1 : 0));
  const health = Object.values(s.deviceHealth).find((h) => h.deviceId === deviceId);
  const ref = Object.values(s.deviceReferences).find((r) => r.deviceId === deviceId);
  if (!records.length && !health && !ref) return null;
  const latestRecord = health ? s.diagnoses[health.lastDiagnosisId] : undefined;
  const stamps = [health?.lastCheckedAt, ...records.map((d) => d.recordedAt)].filter((x): x is string => !!x).sort();
  return {
    latest: latestRecord ? diagnosisFromRecord(latestRecord) : null,
    history: {
      diagnoses: records.map(diagnosisFromRecord),
      changes: localCheckChanges(records),
      reference: ref ? { imageSha256: ref.imageSha256, url: `/blobs/${ref.imageSha256}`, reason: ref.reason, setAt: ref.setAt } : null,
      loadedAt: stamps[stamps.length - 1] ?? '',
    },
  };
}
