import { useState } from 'preact/hooks';
import { enumLabel, formatDateTime, getLang, t, type MessageKey } from '../i18n';
import { dispatch } from '../outbox/dispatch';
import type { OutboxItem } from '../outbox/commands';
import { removeItems } from '../outbox/outbox';
import { useStore } from '../store/hooks';
import { getBaseState, type ConflictRecord } from '../store/store';
import { EDIT_FIELDS, fieldLabel, showFieldValue } from '../lib/wo-fields';
import { href } from '../lib/router';
import { showSurveyFieldValue, surveyFieldLabel } from '../lib/survey';
import { syncNow } from '../sync/engine';
import { screenPhase, useOutbox, usePendingUploads, useSyncStatus, type PendingUpload } from '../sync/hooks';
import { useOnline } from '../ui/hooks';

function itemLabel(it: OutboxItem, number: (id: string) => string | undefined, surveyUnit: (id: string) => string | undefined): string {
  const a = it.args as { workOrderId?: string; text?: string; surveyId?: string; place?: string; role?: string; requestingUnit?: string };
  const target = a.workOrderId ? number(a.workOrderId) : a.surveyId ? surveyUnit(a.surveyId) : (a.requestingUnit ?? a.place);
  const role = it.name === 'minutes.sign' && a.role ? enumLabel('minutes.role', a.role) : null;
  const what = t(`cmd.${it.name}` as MessageKey);
  const fields =
    it.name === 'workorder.update'
      ? EDIT_FIELDS.filter((f) => (a as Record<string, unknown>)[f] !== undefined)
          .map(fieldLabel)
          .join(', ')
      : null;
  return [what, target, role, fields, a.text ? `“${a.text.length > 60 ? `${a.text.slice(0, 60)}…` : a.text}”` : null].filter(Boolean).join(' · ');
}

function ConflictCard({ c }: { c: ConflictRecord }) {
  const users = useStore((s) => s.users);
  const wo = useStore((s) => (c.entity === 'workOrder' ? s.workOrders[c.entityId] : undefined));
  // Resolved on the server (pulled), or only here so far (the resolve command is still in the outbox).
  const pulled = useStore(() => getBaseState().conflicts[c.id]);
  const [msg, setMsg] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const who = (id: string | null | undefined) => (id ? (users[id]?.fullName ?? id) : t('event.system'));
  const survey = useStore((s) => (c.entity === 'survey' ? s.surveys[c.entityId] : undefined));
  const isSurvey = c.entity === 'survey';
  const field = isSurvey ? surveyFieldLabel(c.field) : fieldLabel(c.field);
  const show = (v: unknown) => (isSurvey ? showSurveyFieldValue(c.field, v) : showFieldValue(c.field, v));
  const about = wo
    ? t('sync.conflictAbout', { number: wo.number, title: wo.title })
    : survey
      ? t('sync.conflictSurvey', { unit: survey.requestingUnit })
      : c.entityId;
  async function resolve(choice: 'keep_server' | 'take_client') {
    setBusy(true);
    const r = await dispatch('conflict.resolve', { conflictId: c.id, choice });
    setBusy(false);
    setMsg(r.ok ? null : r.error.message);
  }
  const resolvedHere = !!c.resolvedAt;
  const resolvedThere = !!pulled?.resolvedAt;
  const resolution = (resolvedThere ? pulled?.resolution : c.resolution) === 'took_client' ? t('sync.resolvedTook') : t('sync.resolvedKept');
  return (
    <li
      class={`card conflict${resolvedHere ? ' cf-resolved' : ''}`}
      data-conflict={c.id}
      data-state={resolvedThere ? 'resolved' : resolvedHere ? 'pending' : 'open'}
    >
      <p class="cf-about">
        {wo ? (
          <a href={href(`/wo/${wo.id}`)}>
            <span class="wo-number">{wo.number}</span> · {wo.title}
          </a>
        ) : survey ? (
          <a href={href(`/survey/${survey.id}`)}>{about}</a>
        ) : (
          about
        )}
      </p>
      <p class="card-title cf-field">{field}</p>
      <dl class="cf-values">
        <div class={`cf-value${resolvedHere && c.resolution === 'kept_server' ? ' cf-chosen' : ''}`}>
          <dt>{t('sync.serverValue', { who: who(c.serverActorId) })}</dt>
          <dd class="prewrap">{show(c.serverValue)}</dd>
        </div>
        <div class={`cf-value${resolvedHere && c.resolution === 'took_client' ? ' cf-chosen' : ''}`}>
          <dt>{t('sync.clientValue', { who: who(c.clientActorId) })}</dt>
          <dd class="prewrap">{show(c.clientValue)}</dd>
        </div>
      </dl>
      {msg && (
        <p class="error" role="alert">
          {msg}
        </p>
      )}
      {resolvedHere ? (
        <div class="cf-outcome" role="status">
          {resolvedThere ? (
            <>
              <strong>{resolution}</strong>
              <span class="muted small">
                {t('sync.resolvedBy', { who: who(pulled?.resolvedById ?? c.resolvedById), time: formatDateTime(pulled?.resolvedAt ?? c.resolvedAt) })}
              </span>
            </>
          ) : (
            <span class="pending-tag">{t('sync.resolvePending')}</span>
          )}
        </div>
      ) : (
        <div class="card-actions">
          <button
            type="button"
            class="btn-secondary"
            disabled={busy}
            aria-label={`${t('sync.keepServer')}: ${about} · ${field}`}
            onClick={() => resolve('keep_server')}
          >
            {t('sync.keepServer')}
          </button>
          <button
            type="button"
            class="btn-primary"
            disabled={busy}
            aria-label={`${t('sync.takeClient')}: ${about} · ${field}`}
            onClick={() => resolve('take_client')}
          >
            {t('sync.takeClient')}
          </button>
        </div>
      )}
    </li>
  );
}

/** "1,2 MB" / "850 kB": bytes for people. */
function formatBytes(n: number): string {
  const nf = (x: number, d: number) => x.toLocaleString(getLang() === 'tr' ? 'tr-TR' : 'en-GB', { maximumFractionDigits: d });
  return n >= 1_000_000 ? `${nf(n / 1_000_000, 1)} MB` : `${nf(Math.max(0, n) / 1000, 0)} kB`;
}

/** One row per photo not on the server yet: bytes sent / total while it uploads. */
function UploadList({ uploads }: { uploads: PendingUpload[] }) {
  return (
    <ul class="uploads" aria-label={t('sync.uploadList')}>
      {uploads.map((u) => {
        const text = t('sync.uploadProgress', { sent: formatBytes(u.sent), total: formatBytes(u.total) });
        return (
          <li key={u.sha256} class="upload" data-sha={u.sha256} data-state={u.active ? 'uploading' : 'waiting'}>
            <span class="upload-name">{u.filename}</span>
            <span class="muted small">{u.active ? text : t('sync.uploadWaiting', { total: formatBytes(u.total) })}</span>
            <progress max={u.total || 1} value={u.sent} aria-label={`${u.filename}: ${text}`} />
          </li>
        );
      })}
    </ul>
  );
}

/** Resolved conflicts stay visible this long (newest first, at most RESOLVED_MAX). */
const RESOLVED_MS = 7 * 24 * 3600 * 1000;
const RESOLVED_MAX = 5;

export function SyncScreen() {
  const items = useOutbox();
  const st = useSyncStatus();
  const online = useOnline();
  const numbers = useStore((s) => s.workOrders);
  const surveys = useStore((s) => s.surveys);
  const conflicts = useStore((s) =>
    Object.values(s.conflicts)
      .filter((c) => !c.resolvedAt)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1)),
  );
  const resolved = useStore((s) =>
    Object.values(s.conflicts)
      .filter((c) => c.resolvedAt && Date.now() - Date.parse(c.resolvedAt) < RESOLVED_MS)
      .sort((a, b) => (a.resolvedAt! < b.resolvedAt! ? 1 : -1))
      .slice(0, RESOLVED_MAX),
  );
  const pending = usePendingUploads();
  const uploads = pending.length;
  // "In sync" only when every photo is on the server too (an upload runs after the push).
  const phase = screenPhase(st.phase, online, uploads);
  const ordered = [...items].sort((a, b) => b.seq - a.seq);
  return (
    <main class="screen">
      <h1>{t('sync.title')}</h1>
      <section class="sync-status" aria-label={t('sync.state')}>
        <p class={`sync-phase ph-${phase}`} role="status">
          {t(`sync.phase.${phase}` as MessageKey)}
        </p>
        {st.lastError && phase === 'failed' && <p class="error small">{st.lastError}</p>}
        <p class="muted small">{st.lastSyncAt ? t('sync.lastSync', { time: formatDateTime(st.lastSyncAt) }) : t('sync.neverSynced')}</p>
        {st.nextAttemptAt && phase !== 'idle' && phase !== 'syncing' && (
          <p class="muted small">{t('sync.nextAttempt', { time: formatDateTime(new Date(st.nextAttemptAt).toISOString()) })}</p>
        )}
        <p class="muted small">{st.persisted === true ? t('sync.persistYes') : st.persisted === false ? t('sync.persistNo') : t('sync.persistUnknown')}</p>
        {uploads > 0 && <p class="muted small">{t('sync.uploads', { n: uploads })}</p>}
        {uploads > 0 && <UploadList uploads={pending} />}
        <button type="button" class="btn-primary" onClick={() => void syncNow()} disabled={phase === 'syncing'}>
          {t('sync.sendNow')}
        </button>
      </section>

      <section>
        <h2>{t('sync.conflicts')}</h2>
        {conflicts.length ? (
          <ul class="cards" aria-label={t('sync.conflicts')}>
            {conflicts.map((c) => (
              <ConflictCard key={c.id} c={c} />
            ))}
          </ul>
        ) : (
          <p class="muted">{t('sync.noConflicts')}</p>
        )}
        {resolved.length > 0 && (
          <>
            <h3>{t('sync.resolvedConflicts')}</h3>
            <ul class="cards" aria-label={t('sync.resolvedConflicts')}>
              {resolved.map((c) => (
                <ConflictCard key={c.id} c={c} />
              ))}
            </ul>
          </>
        )}
      </section>

      <section>
        <h2>{t('sync.outbox')}</h2>
        {ordered.length ? (
          <ol class="outbox" aria-label={t('sync.outbox')}>
            {ordered.map((it) => (
              <li key={it.seq} class={`ob-item ob-${it.state}`} data-seq={it.seq} data-state={it.state}>
                <div class="ob-head">
                  <span class="ob-what">
                    {itemLabel(
                      it,
                      (id) => numbers[id]?.number,
                      (id) => surveys[id]?.requestingUnit,
                    )}
                  </span>
                  <span class={`ob-state st-ob-${it.state}`}>{t(`syncState.${it.state}` as MessageKey)}</span>
                </div>
                <div class="muted small">
                  #{it.seq} · <time dateTime={it.createdAt}>{formatDateTime(it.createdAt)}</time>
                </div>
                {it.state === 'rejected' && (
                  <>
                    <p class="error" role="alert">
                      {it.error?.message ?? t('sync.rejectedNoReason')}
                    </p>
                    <button type="button" class="btn-small" onClick={() => void removeItems([it.seq])}>
                      {t('sync.dismiss')}
                    </button>
                  </>
                )}
              </li>
            ))}
          </ol>
        ) : (
          <p class="empty">{t('sync.empty')}</p>
        )}
      </section>
    </main>
  );
}
