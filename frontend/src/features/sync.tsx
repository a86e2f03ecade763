import { useEffect, useState } from 'preact/hooks';
import { formatDateTime, t, type MessageKey } from '../i18n';
import { dispatch } from '../outbox/dispatch';
import type { OutboxItem } from '../outbox/commands';
import { removeItems } from '../outbox/outbox';
import { useStore } from '../store/hooks';
import type { ConflictRecord } from '../store/store';
import { onBlobsChange, pendingUploads } from '../sync/blobs';
import { syncNow } from '../sync/engine';
import { useOutbox, useSyncStatus } from '../sync/hooks';
import { useOnline } from '../ui/hooks';

function itemLabel(it: OutboxItem, number: (id: string) => string | undefined): string {
  const a = it.args as { workOrderId?: string; text?: string };
  const target = a.workOrderId ? number(a.workOrderId) : undefined;
  const what = t(`cmd.${it.name}` as MessageKey);
  return [what, target, a.text ? `“${a.text.length > 60 ? `${a.text.slice(0, 60)}…` : a.text}”` : null].filter(Boolean).join(' · ');
}

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return t('common.none');
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function ConflictCard({ c }: { c: ConflictRecord }) {
  const users = useStore((s) => s.users);
  const wo = useStore((s) => (c.entity === 'workOrder' ? s.workOrders[c.entityId] : undefined));
  const [msg, setMsg] = useState<string | null>(null);
  const who = (id: string | null) => (id ? (users[id]?.fullName ?? id) : t('event.system'));
  async function resolve(choice: 'keep_server' | 'take_client') {
    const r = await dispatch('conflict.resolve', { conflictId: c.id, choice });
    setMsg(r.ok ? null : r.error.message);
  }
  return (
    <li class="card conflict">
      <p class="card-title">
        {wo ? `${wo.number} · ` : ''}
        {c.field}
      </p>
      <dl class="fields">
        <div class="field">
          <dt>{t('sync.serverValue', { who: who(c.serverActorId) })}</dt>
          <dd class="prewrap">{show(c.serverValue)}</dd>
        </div>
        <div class="field">
          <dt>{t('sync.clientValue', { who: who(c.clientActorId) })}</dt>
          <dd class="prewrap">{show(c.clientValue)}</dd>
        </div>
      </dl>
      {msg && (
        <p class="error" role="alert">
          {msg}
        </p>
      )}
      <div class="card-actions">
        <button type="button" class="btn-secondary" onClick={() => resolve('keep_server')}>
          {t('sync.keepServer')}
        </button>
        <button type="button" class="btn-primary" onClick={() => resolve('take_client')}>
          {t('sync.takeClient')}
        </button>
      </div>
    </li>
  );
}

export function SyncScreen() {
  const items = useOutbox();
  const st = useSyncStatus();
  const online = useOnline();
  const numbers = useStore((s) => s.workOrders);
  const conflicts = useStore((s) => Object.values(s.conflicts).filter((c) => !c.resolvedAt));
  const [uploads, setUploads] = useState(0);
  useEffect(() => {
    const count = () => void pendingUploads().then((r) => setUploads(r.length), () => undefined);
    count();
    return onBlobsChange(count);
  }, []);

  const phase = !online && st.phase !== 'syncing' ? 'offline' : st.phase;
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
        <button type="button" class="btn-primary" onClick={() => void syncNow()} disabled={phase === 'syncing'}>
          {t('sync.sendNow')}
        </button>
      </section>

      <section>
        <h2>{t('sync.conflicts')}</h2>
        {conflicts.length ? (
          <ul class="cards">
            {conflicts.map((c) => (
              <ConflictCard key={c.id} c={c} />
            ))}
          </ul>
        ) : (
          <p class="muted">{t('sync.noConflicts')}</p>
        )}
      </section>

      <section>
        <h2>{t('sync.outbox')}</h2>
        {ordered.length ? (
          <ol class="outbox" aria-label={t('sync.outbox')}>
            {ordered.map((it) => (
              <li key={it.seq} class={`ob-item ob-${it.state}`} data-seq={it.seq} data-state={it.state}>
                <div class="ob-head">
                  <span class="ob-what">{itemLabel(it, (id) => numbers[id]?.number)}</span>
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
