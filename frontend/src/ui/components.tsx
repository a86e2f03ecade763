import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { enumLabel, formatDate, formatDateTime, getLang, setLang, t } from '../i18n';
import { href } from '../lib/router';
import type { WorkOrderView } from '../store/store';
import type { LoadState } from './hooks';
import { useOnline } from './hooks';

export function NetPill() {
  const online = useOnline();
  return (
    <span class={`pill ${online ? 'pill-on' : 'pill-off'}`} role="status" aria-label={`${t('net.status')}: ${online ? t('net.online') : t('net.offline')}`}>
      <span class="dot" aria-hidden="true" />
      {online ? t('net.online') : t('net.offline')}
    </span>
  );
}

export function LangToggle() {
  const next = getLang() === 'tr' ? 'en' : 'tr';
  return (
    <button type="button" class="btn-ghost lang" lang={next} aria-label={t('lang.switchLabel')} onClick={() => setLang(next)}>
      {t('lang.switchTo')}
    </button>
  );
}

export function Header() {
  return (
    <header class="topbar">
      <span class="brand">
        <img src="/icons/icon.svg" alt="" width={28} height={28} />
        {t('app.name')}
      </span>
      <NetPill />
      <LangToggle />
    </header>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge st-${status.toLowerCase()}`}>{enumLabel('status', status)}</span>;
}

export function PriorityBadge({ priority }: { priority: string }) {
  return (
    <span class={`prio pr-${priority.toLowerCase()}`}>
      {t('wo.priority')}: {enumLabel('priority', priority)}
    </span>
  );
}

/** "Last updated …", offline notice, errors and a refresh button for a screen's data. */
export function Freshness({ updatedAt, load }: { updatedAt?: string; load: LoadState }) {
  return (
    <div class="fresh">
      {load.offline && (
        <p class="notice" role="status">
          {t('common.showingCached')}
        </p>
      )}
      {load.error && (
        <p class="error" role="alert">
          {load.error}
        </p>
      )}
      <div class="fresh-row">
        <span class="muted">
          {load.loading ? t('common.loading') : updatedAt ? t('common.lastUpdated', { time: formatDateTime(updatedAt) }) : t('common.neverUpdated')}
        </span>
        <button type="button" class="btn-small" onClick={load.reload} disabled={load.loading}>
          {t('common.refresh')}
        </button>
      </div>
    </div>
  );
}

export function WorkOrderCard({ wo, children }: { wo: WorkOrderView; children?: ComponentChildren }) {
  return (
    <li class="card">
      <a class="card-link" href={href(`/wo/${wo.id}`)}>
        <span class="card-top">
          <span class="wo-number">{wo.number}</span>
          <StatusBadge status={wo.status} />
        </span>
        <span class="card-title">{wo.title}</span>
        <span class="card-meta">{wo.site ? `${wo.site.code} · ${wo.site.name}` : ''}</span>
        <span class="card-meta">
          <PriorityBadge priority={wo.priority} />
          {wo.dueOn && <span>{t('wo.dueShort', { date: formatDate(wo.dueOn) })}</span>}
        </span>
      </a>
      {children}
    </li>
  );
}

export function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <dt>{label}</dt>
      <dd>{children ?? t('common.none')}</dd>
    </div>
  );
}

/** Bottom sheet dialog; focuses its first control and closes on Escape. */
export function Sheet({ title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  // Escape calls the onClose of the latest render (parents pass a new arrow each time).
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>('textarea, select, input, button');
    first?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close.current();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div class="scrim" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="sheet" role="dialog" aria-modal="true" aria-labelledby="sheet-title" ref={ref}>
        <h2 id="sheet-title">{title}</h2>
        {children}
      </div>
    </div>
  );
}

export function BackLink({ to, label }: { to: string; label?: string }) {
  return (
    <a class="back" href={href(to)}>
      ← {label ?? t('common.back')}
    </a>
  );
}

/** A success or error line under a screen's title. */
export function Feedback({ msg }: { msg: { ok: boolean; text: string } | null }) {
  if (!msg) return null;
  return msg.ok ? (
    <p class="success" role="status">
      {msg.text}
    </p>
  ) : (
    <p class="error" role="alert">
      {msg.text}
    </p>
  );
}

/**
 * A sheet's footer: Cancel (or `cancel`), and the confirming button when `confirm` is given. That one
 * submits the surrounding form, or runs `onConfirm` when given. `busy` disables it and shows
 * "sending…" instead of its label; `disabled` only disables it.
 */
export function SheetActions(props: {
  onCancel: () => void;
  cancel?: string;
  confirm?: string;
  onConfirm?: () => void;
  danger?: boolean;
  busy?: boolean;
  disabled?: boolean;
}) {
  return (
    <div class="sheet-actions">
      <button type="button" class="btn-secondary" onClick={props.onCancel}>
        {props.cancel ?? t('common.cancel')}
      </button>
      {props.confirm !== undefined && (
        <button
          type={props.onConfirm ? 'button' : 'submit'}
          class={props.danger ? 'btn-danger' : 'btn-primary'}
          disabled={props.busy || props.disabled}
          onClick={props.onConfirm}
        >
          {props.busy ? t('wo.sending') : props.confirm}
        </button>
      )}
    </div>
  );
}

/** A bottom sheet with one text field (note, reason…). */
export function TextSheet(props: {
  title: string;
  label: string;
  confirm: string;
  required?: boolean;
  busy: boolean;
  error: string | null;
  hint?: string;
  onClose: () => void;
  onConfirm: (text: string) => void;
}) {
  const [text, setText] = useState('');
  const empty = !text.trim();
  return (
    <Sheet title={props.title} onClose={props.onClose}>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (props.required && empty) return;
          props.onConfirm(text.trim());
        }}
      >
        <label class="lbl">
          {props.label}
          <textarea
            rows={4}
            value={text}
            required={props.required}
            aria-describedby={props.hint ? 'sheet-hint' : undefined}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>
        {props.hint && (
          <p id="sheet-hint" class="muted small">
            {props.hint}
          </p>
        )}
        {props.error && (
          <p class="error" role="alert">
            {props.error}
          </p>
        )}
        <SheetActions onCancel={props.onClose} confirm={props.confirm} busy={props.busy} disabled={props.required && empty} />
      </form>
    </Sheet>
  );
}
