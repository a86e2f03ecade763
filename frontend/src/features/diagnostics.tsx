/**
 * ONVIF diagnostics in the PWA (docs/diagnostics.md): remote diagnosis from the device page,
 * its history, the managers' health overview and the admins' firmware baselines. Running a
 * diagnosis is online only (the server talks to the cameras); offline, or when the history does
 * not load, the device page shows the diagnoses synced into the store.
 */
import { useEffect, useState } from 'preact/hooks';
import { GraphQLRequestError, NetworkError, SessionExpiredError } from '../api/client';
import {
  cachedHistory,
  decideProposal,
  diagnoseDevice,
  loadProposals,
  loadDeviceHistory,
  loadFirmwareBaselines,
  loadHealthOverview,
  openFaultFromDiagnosis,
  setDeviceCredentials,
  setFirmwareBaseline,
  setReferenceImage,
  type Diagnosis,
  type DeviceChangeProposal,
  type DeviceHistory,
  type FirmwareBaseline,
  type SiteHealth,
} from '../api/diagnostics';
import { formatDateTime, t } from '../i18n';
import {
  canOpenFault,
  evidenceRows,
  formatChange,
  healthTotals,
  overallLabel,
  proposalFieldLabel,
  shaFromBlobUrl,
  sortByVerdict,
  sortSiteHealth,
  sourceLabel,
  verdictClass,
  verdictLabel,
} from '../lib/diagnostics';
import { can } from '../lib/permissions';
import { href, navigate } from '../lib/router';
import { newId } from '../outbox/commands';
import { syncedDiagnostics } from '../store/diagnostics';
import { useStore } from '../store/hooks';
import type { DeviceRecord } from '../store/store';
import { BlobImage } from '../ui/blob-image';
import { BackLink, Feedback, Freshness, Sheet, SheetActions } from '../ui/components';
import { useLoader, useOnline } from '../ui/hooks';

type Msg = { ok: boolean; text: string } | null;

/** What to tell people when a call did not work. */
function failureText(e: unknown): string {
  if (e instanceof NetworkError) return t('diag.offline');
  if (e instanceof SessionExpiredError) return t('error.sessionExpired');
  if (e instanceof GraphQLRequestError) return e.message;
  return t('error.unexpected');
}

/** Seconds since `running` became true (0 when not running). */
function useElapsed(running: boolean): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    setN(0);
    if (!running) return;
    const started = Date.now();
    const h = setInterval(() => setN(Math.round((Date.now() - started) / 1000)), 1000);
    return () => clearInterval(h);
  }, [running]);
  return n;
}

export function Chip({ verdict }: { verdict: string }) {
  return <span class={`badge ${verdictClass(verdict)}`}>{verdictLabel(verdict)}</span>;
}

// --- device page ----------------------------------------------------------------------

/** The device page's diagnostics: run one now, the result, the history; the ONVIF account. */
export function DeviceDiagnostics({ device, workOrderId }: { device: DeviceRecord; workOrderId: string | null }) {
  const viewer = useStore((s) => s.viewer);
  const woNumber = useStore((s) => (workOrderId ? s.workOrders[workOrderId]?.number : undefined));
  const online = useOnline();
  const mayRun = can(viewer, 'diagnostics.run');
  const diagnosable = device.kind === 'CAMERA' || device.kind === 'RECORDER';
  const [history, setHistory] = useState<DeviceHistory | undefined>(() => cachedHistory(device.id));
  const load = useLoader(`diagnoses:${device.id}`, async () => {
    if (diagnosable) setHistory(await loadDeviceHistory(device.id));
  });
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<Diagnosis | null>(null);
  const [error, setError] = useState<string | null>(null);
  const elapsed = useElapsed(running);
  const synced = useStore((s) => syncedDiagnostics(s, device.id));
  const health = useStore((s) => Object.values(s.deviceHealth).find((h) => h.deviceId === device.id));
  // Offline or the load failed, nothing loaded this session: what the last sync brought.
  const fallback = !history && (load.offline || !!load.error || !online) ? synced : null;
  const shown = history ?? fallback?.history;

  async function run() {
    if (!online) return setError(t('diag.offline'));
    setRunning(true);
    setError(null);
    setResult(null);
    try {
      const r = await diagnoseDevice(device.id, workOrderId);
      if (r.ok) {
        setResult(r.value);
        load.reload();
      } else setError(r.error.message);
    } catch (e) {
      setError(failureText(e));
    } finally {
      setRunning(false);
    }
  }

  if (!diagnosable) return null;
  return (
    <>
      <section class="diag" aria-labelledby="diag-title">
        <h2 id="diag-title">{t('diag.title')}</h2>
        {workOrderId && <p class="muted small">{t('diag.forWorkOrder', { number: woNumber ?? '…' })}</p>}
        {health && (
          <p class="diag-health" data-source={health.source ?? ''}>
            {t('diag.health')}: <Chip verdict={health.overall} /> · {sourceLabel(health.source)} · {formatDateTime(health.lastCheckedAt)}
          </p>
        )}
        {!online && (
          <p class="notice" role="status">
            {t('diag.offline')}
          </p>
        )}
        {mayRun && (
          <button type="button" class="btn-primary wide" disabled={running || !online} onClick={run}>
            {t('diag.run')}
          </button>
        )}
        {running && (
          <div class="diag-progress" role="status">
            <progress aria-label={t('diag.title')} />
            <span>{t('diag.running', { n: elapsed })}</span>
          </div>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {fallback && (
          <p class="notice diag-synced" role="status">
            {t('diag.syncedOnly')}
          </p>
        )}
        {result && <DiagnosisView d={result} reference={shown?.reference?.imageSha256 ?? null} onReference={load.reload} heading={t('diag.result')} />}
        {!result && fallback?.latest && (
          <DiagnosisView d={fallback.latest} reference={shown?.reference?.imageSha256 ?? null} onReference={load.reload} heading={t('diag.latest')} />
        )}
      </section>
      <DiagnosisHistory history={shown} load={load} />
      {can(viewer, 'devices.manage') && <ProposalList deviceId={device.id} />}
      {can(viewer, 'devices.manage') && <CredentialsForm deviceId={device.id} />}
    </>
  );
}

function DiagnosisHistory({ history, load }: { history: DeviceHistory | undefined; load: ReturnType<typeof useLoader> }) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section aria-labelledby="diag-history">
      <h2 id="diag-history">{t('diag.history')}</h2>
      <Freshness updatedAt={history?.loadedAt} load={load} />
      {!history ? null : !history.diagnoses.length ? (
        <p class="muted">{t('diag.noHistory')}</p>
      ) : (
        <ul class="diag-list">
          {history.diagnoses.map((d) => (
            <li key={d.id}>
              <button type="button" class="diag-item" aria-expanded={open === d.id} onClick={() => setOpen(open === d.id ? null : d.id)}>
                <span>{t('diag.historyItem', { date: formatDateTime(d.startedAt), source: sourceLabel(d.source) })}</span>
                <span class={`badge ${verdictClass(d.overall)}`}>{overallLabel(d.overall)}</span>
              </button>
              {open === d.id && <DiagnosisView d={d} reference={history.reference?.imageSha256 ?? null} onReference={load.reload} />}
            </li>
          ))}
        </ul>
      )}
      {history && (
        <>
          <h3>{t('diag.changes')}</h3>
          {history.changes.length ? (
            <ul class="plain diag-changes">
              {history.changes.map((c) => (
                <li key={`${c.diagnosisId}:${c.check}`}>
                  <span class={`vd-line ${verdictClass(c.after)}`}>{formatChange(c)}</span>
                  {c.message && <span class="muted small"> — {c.message}</span>}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">{t('diag.noChanges')}</p>
          )}
        </>
      )}
    </section>
  );
}

/** One diagnosis: overall verdict, problems, snapshot beside the reference, every check. */
export function DiagnosisView({ d, reference, onReference, heading }: { d: Diagnosis; reference: string | null; onReference: () => void; heading?: string }) {
  const viewer = useStore((s) => s.viewer);
  const online = useOnline();
  const mayRun = can(viewer, 'diagnostics.run');
  const recorder = useStore((s) => (d.requestedById ? s.users[d.requestedById]?.fullName : undefined));
  const snapSha = shaFromBlobUrl(d.snapshotUrl);
  const refSha = shaFromBlobUrl(d.referenceUrl);
  const problems = sortByVerdict(d.results.filter((r) => r.verdict === 'FAIL' || r.verdict === 'WARNING'));
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<Msg>(null);
  const [asking, setAsking] = useState(false);

  async function openFault() {
    if (!online) return setMsg({ ok: false, text: t('diag.needsOnline') });
    setBusy(true);
    setMsg(null);
    try {
      const r = await openFaultFromDiagnosis(d.id, newId());
      if (r.ok) navigate(`/wo/${r.value.id}`);
      else setMsg({ ok: false, text: r.error.message });
    } catch (e) {
      setMsg({ ok: false, text: failureText(e) });
    } finally {
      setBusy(false);
    }
  }

  async function makeReference(reason: string) {
    if (!snapSha) return;
    setBusy(true);
    setMsg(null);
    try {
      const r = await setReferenceImage(d.deviceId, snapSha, reason);
      setMsg(r.ok ? { ok: true, text: t('diag.referenceSet') } : { ok: false, text: r.error.message });
      if (r.ok) {
        setAsking(false);
        onReference();
      }
    } catch (e) {
      setMsg({ ok: false, text: failureText(e) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <article class="diagnosis" aria-label={heading ?? t('diag.result')}>
      {heading && <h3>{heading}</h3>}
      <div class={`overall ov-${d.overall.toLowerCase()}`}>
        <span class="muted small">{t('diag.overall')}</span>
        <strong>{overallLabel(d.overall)}</strong>
        <span class="small">
          {formatDateTime(d.startedAt)} · <span class={`diag-source src-${d.source.toLowerCase()}`}>{sourceLabel(d.source)}</span>
          {recorder && <> · {t('diag.recordedBy', { name: recorder })}</>}
        </span>
      </div>
      {d.source === 'PROBE' && <p class="muted small">{t('diag.probeNote')}</p>}
      {problems.length > 0 && (
        <ul class="plain diag-problems" aria-label={t('diag.problems')}>
          {problems.map((r) => (
            <li key={r.check}>
              <Chip verdict={r.verdict} /> <strong>{r.label}</strong>: {r.message}
            </li>
          ))}
        </ul>
      )}
      {snapSha && (
        <div class="diag-images">
          <figure>
            <BlobImage sha={snapSha} alt={t('diag.snapshot')} />
            <figcaption>{t('diag.snapshot')}</figcaption>
          </figure>
          <figure>
            {refSha ? <BlobImage sha={refSha} alt={t('diag.reference')} /> : <span class="ph-missing">{t('diag.noReference')}</span>}
            <figcaption>{t('diag.reference')}</figcaption>
          </figure>
        </div>
      )}
      <Feedback msg={msg} />
      <div class="diag-actions">
        {snapSha &&
          mayRun &&
          (reference === snapSha ? (
            <p class="muted small">{t('diag.isReference')}</p>
          ) : (
            <button type="button" class="btn-secondary" disabled={busy} onClick={() => (setMsg(null), setAsking(true))}>
              {t('diag.makeReference')}
            </button>
          ))}
        {mayRun && canOpenFault(d.overall) && (
          <button type="button" class="btn-danger" disabled={busy} onClick={openFault}>
            {t('diag.openFault')}
          </button>
        )}
      </div>
      <h4>{t('diag.checks')}</h4>
      <ul class="checks">
        {d.results.map((r) => {
          const rows = evidenceRows(r.evidence);
          return (
            <li key={r.check} class="check">
              <div class="check-head">
                <strong>{r.label}</strong>
                <Chip verdict={r.verdict} />
              </div>
              {r.message && <p class="check-msg">{r.message}</p>}
              {rows.length > 0 && (
                <details>
                  <summary>{t('diag.evidence')}</summary>
                  <dl class="evidence">
                    {rows.map((row, i) => (
                      <div key={i}>
                        {row.key && <dt>{row.key}</dt>}
                        <dd>{row.json ? <pre>{row.value}</pre> : row.value}</dd>
                      </div>
                    ))}
                  </dl>
                </details>
              )}
            </li>
          );
        })}
      </ul>
      {asking && <ReferenceSheet busy={busy} error={msg && !msg.ok ? msg.text : null} onClose={() => setAsking(false)} onConfirm={makeReference} />}
    </article>
  );
}

function ReferenceSheet(props: { busy: boolean; error: string | null; onClose: () => void; onConfirm: (reason: string) => void }) {
  const [reason, setReason] = useState(t('diag.referenceDefault'));
  return (
    <Sheet title={t('diag.makeReference')} onClose={props.onClose}>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          props.onConfirm(reason.trim());
        }}
      >
        <label class="lbl">
          {t('diag.referenceReason')}
          <input type="text" value={reason} maxLength={200} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        {props.error && (
          <p class="error" role="alert">
            {props.error}
          </p>
        )}
        <SheetActions onCancel={props.onClose} confirm={t('diag.makeReference')} disabled={props.busy} />
      </form>
    </Sheet>
  );
}

/** Inventory values diagnoses reported for this device, for someone with `devices.manage` to decide. */
function ProposalList({ deviceId }: { deviceId: string }) {
  const [rows, setRows] = useState<DeviceChangeProposal[] | null>(null);
  const [at, setAt] = useState<string | undefined>();
  const load = useLoader(`proposals:${deviceId}`, async () => {
    setRows(await loadProposals(deviceId));
    setAt(new Date().toISOString());
  });
  const [busy, setBusy] = useState<string | null>(null);
  const [msg, setMsg] = useState<Msg>(null);

  async function decide(p: DeviceChangeProposal, accept: boolean) {
    setBusy(p.id);
    setMsg(null);
    try {
      const r = await decideProposal(p.id, accept);
      setMsg(r.ok ? { ok: true, text: t(accept ? 'proposal.accepted' : 'proposal.rejected') } : { ok: false, text: r.error.message });
      load.reload();
    } catch (e) {
      setMsg({ ok: false, text: failureText(e) });
    } finally {
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="proposals-title">
      <h2 id="proposals-title">{t('proposal.title')}</h2>
      <Freshness updatedAt={at} load={load} />
      <Feedback msg={msg} />
      {rows && !rows.length && <p class="muted">{t('proposal.none')}</p>}
      {rows && rows.length > 0 && (
        <ul class="cards proposals">
          {rows.map((p) => (
            <li class="card" key={p.id} data-field={p.field}>
              <div class="card-link">
                <span class="card-title">{proposalFieldLabel(p.field)}</span>
                <span class="card-meta">
                  <span>
                    <code>{p.oldValue || t('common.none')}</code> → <code>{p.proposedValue}</code>
                  </span>
                  <span>{t('proposal.from', { source: sourceLabel(p.diagnosisSource), date: formatDateTime(p.createdAt) })}</span>
                </span>
              </div>
              <div class="card-actions">
                <button
                  type="button"
                  class="btn-primary"
                  disabled={busy !== null}
                  aria-label={`${t('proposal.accept')}: ${proposalFieldLabel(p.field)}`}
                  onClick={() => decide(p, true)}
                >
                  {t('proposal.accept')}
                </button>
                <button
                  type="button"
                  class="btn-secondary"
                  disabled={busy !== null}
                  aria-label={`${t('proposal.reject')}: ${proposalFieldLabel(p.field)}`}
                  onClick={() => decide(p, false)}
                >
                  {t('proposal.reject')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function CredentialsForm({ deviceId }: { deviceId: string }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<Msg>(null);
  async function save(e: Event) {
    e.preventDefault();
    if (!username.trim() || !password) return;
    setBusy(true);
    setMsg(null);
    try {
      const r = await setDeviceCredentials(deviceId, username.trim(), password);
      setMsg(r.ok ? { ok: true, text: t('diag.credSaved') } : { ok: false, text: r.error.message });
      if (r.ok) setPassword('');
    } catch (err) {
      setMsg({ ok: false, text: failureText(err) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <section>
      <details class="cred">
        <summary>
          <h2>{t('diag.credentials')}</h2>
        </summary>
        <form class="stack" onSubmit={save}>
          <label class="lbl">
            {t('diag.credUser')}
            <input type="text" autocomplete="off" value={username} required onInput={(e) => setUsername(e.currentTarget.value)} />
          </label>
          <label class="lbl">
            {t('diag.credPassword')}
            <input
              type="password"
              autocomplete="new-password"
              value={password}
              required
              aria-describedby="cred-hint"
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          <p id="cred-hint" class="muted small">
            {t('diag.credHint')}
          </p>
          <Feedback msg={msg} />
          <button type="submit" class="btn-primary" disabled={busy || !username.trim() || !password}>
            {t('diag.credSave')}
          </button>
        </form>
      </details>
    </section>
  );
}

// --- health overview ------------------------------------------------------------------

let lastHealth: { rows: SiteHealth[]; at: string } | null = null;

export function HealthOverview() {
  const viewer = useStore((s) => s.viewer);
  const allowed = can(viewer, 'workorders.approve');
  const [data, setData] = useState(lastHealth);
  const load = useLoader('health', async () => {
    if (!allowed) return;
    lastHealth = { rows: await loadHealthOverview(), at: new Date().toISOString() };
    setData(lastHealth);
  });
  if (!allowed) {
    return (
      <main class="screen">
        <h1>{t('health.title')}</h1>
        <p class="empty">{t('health.forbidden')}</p>
      </main>
    );
  }
  const totals = data ? healthTotals(data.rows) : null;
  const rows = data ? sortSiteHealth(data.rows) : [];
  const tiles = [
    ['ok', t('health.ok')],
    ['warning', t('health.warning')],
    ['fail', t('health.fail')],
    ['unchecked', t('health.unchecked')],
  ] as const;
  return (
    <main class="screen">
      <BackLink to="/sites" label={t('sites.title')} />
      <h1>{t('health.title')}</h1>
      <Freshness updatedAt={data?.at} load={load} />
      {totals && (
        <dl class="totals" aria-label={t('health.totals')}>
          {tiles.map(([k, label]) => (
            <div key={k} class={`tile tl-${k}`} data-kind={k}>
              <dt>{label}</dt>
              <dd>{totals[k]}</dd>
            </div>
          ))}
        </dl>
      )}
      {data && (
        <>
          <h2>{t('health.sites')}</h2>
          {!rows.length ? (
            <p class="empty">{t('common.empty')}</p>
          ) : (
            <ul class="cards">
              {rows.map((r) => (
                <li class="card" key={r.siteId} data-site={r.siteId}>
                  <a class="card-link" href={href(`/site/${r.siteId}`)}>
                    <span class="card-top">
                      <span class="wo-number">{r.siteCode}</span>
                    </span>
                    <span class="card-title">{r.siteName}</span>
                    <span class="card-meta health-counts">
                      {[tiles[2], tiles[1], tiles[0], tiles[3]].map(([k, label]) => (
                        <span key={k} class={`badge tl-${k}`} data-kind={k}>
                          {label}: {r[k]}
                        </span>
                      ))}
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </main>
  );
}

// --- firmware baselines -----------------------------------------------------------------

const EMPTY_BASELINE = { make: '', model: '', approvedFirmware: '', note: '' };

export function FirmwareBaselines() {
  const viewer = useStore((s) => s.viewer);
  const mayManage = can(viewer, 'firmware.manage');
  const [rows, setRows] = useState<FirmwareBaseline[] | null>(null);
  const [at, setAt] = useState<string | undefined>();
  const load = useLoader('firmware', async () => {
    setRows(await loadFirmwareBaselines());
    setAt(new Date().toISOString());
  });
  const [form, setForm] = useState(EMPTY_BASELINE);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<Msg>(null);
  const set = (k: keyof typeof form) => (e: Event) => setForm((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }));

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setMsg(null);
    try {
      const input = { make: form.make.trim(), model: form.model.trim(), approvedFirmware: form.approvedFirmware.trim(), note: form.note.trim() };
      const r = await setFirmwareBaseline(input);
      if (r.ok) {
        setMsg({ ok: true, text: t('fw.saved', { make: r.value.make, model: r.value.model, version: r.value.approvedFirmware }) });
        setForm(EMPTY_BASELINE);
        load.reload();
      } else setMsg({ ok: false, text: r.error.message });
    } catch (err) {
      setMsg({ ok: false, text: failureText(err) });
    } finally {
      setBusy(false);
    }
  }

  const filled = form.make.trim() && form.model.trim() && form.approvedFirmware.trim();
  return (
    <main class="screen">
      <BackLink to="/sites" label={t('sites.title')} />
      <h1>{t('fw.title')}</h1>
      <Freshness updatedAt={at} load={load} />
      {rows && !rows.length && <p class="empty">{t('common.empty')}</p>}
      {rows && rows.length > 0 && (
        <ul class="cards">
          {rows.map((b) => (
            <li class="card fw-row" key={b.id}>
              <div class="card-link">
                <span class="card-title">
                  {b.make} {b.model}
                </span>
                <span class="card-meta">
                  <code>{b.approvedFirmware}</code>
                  <span>{t('fw.updated', { time: formatDateTime(b.updatedAt) })}</span>
                </span>
                {b.note && <span class="muted small">{b.note}</span>}
              </div>
              {mayManage && (
                <div class="card-actions">
                  <button
                    type="button"
                    class="btn-secondary"
                    aria-label={`${t('fw.edit')}: ${b.make} ${b.model}`}
                    onClick={() => {
                      setForm({ make: b.make, model: b.model, approvedFirmware: b.approvedFirmware, note: b.note });
                      document.getElementById('fw-form')?.scrollIntoView();
                    }}
                  >
                    {t('fw.edit')}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {mayManage && (
        <section id="fw-form">
          <h2>{t('fw.form')}</h2>
          <form class="stack" onSubmit={save}>
            <label class="lbl">
              {t('fw.make')}
              <input type="text" value={form.make} required maxLength={80} onInput={set('make')} />
            </label>
            <label class="lbl">
              {t('fw.model')}
              <input type="text" value={form.model} required maxLength={120} onInput={set('model')} />
            </label>
            <label class="lbl">
              {t('fw.version')}
              <input type="text" value={form.approvedFirmware} required maxLength={80} onInput={set('approvedFirmware')} />
            </label>
            <label class="lbl">
              {t('fw.note')}
              <input type="text" value={form.note} maxLength={500} onInput={set('note')} />
            </label>
            <Feedback msg={msg} />
            <button type="submit" class="btn-primary" disabled={busy || !filled}>
              {t('fw.save')}
            </button>
          </form>
        </section>
      )}
    </main>
  );
}
