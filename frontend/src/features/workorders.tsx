import { useState } from 'preact/hooks';
import { loadMyWorkOrders, loadReviewQueue, loadTechnicians, loadWorkOrder, loadWorkOrders, workOrdersListKey } from '../api/queries';
import { WORK_ORDER_STATUSES, type Viewer, type WorkOrderAction, type WorkOrderStatus } from '../api/types';
import { enumLabel, formatDate, formatDateTime, t } from '../i18n';
import { can, seesEverything } from '../lib/permissions';
import { href } from '../lib/router';
import { dispatch, type DispatchResult } from '../outbox/dispatch';
import { newId, type CommandArgs, type CommandName } from '../outbox/commands';
import { PRIORITIES, changeLines, editChanges, editedFieldsText, isFrozen, type EditForm } from '../lib/wo-fields';
import { savePhoto } from '../sync/photos';
import { BlobImage } from '../ui/blob-image';
import { useStore } from '../store/hooks';
import { selectWorkOrder, selectWorkOrderList, type AttachmentRecord, type WorkOrderView } from '../store/store';
import { BackLink, Feedback, Field, Freshness, PriorityBadge, Sheet, SheetActions, StatusBadge, TextSheet, WorkOrderCard } from '../ui/components';
import { useLoader } from '../ui/hooks';
import { useOutbox } from '../sync/hooks';
import { isParty, refusalsFor, surveyOfInstallation, surveyOfWorkOrder, workOrdersWithRefusedSignatures } from '../store/surveys';
import { refusalText } from '../lib/survey';

// --- lists ---------------------------------------------------------------------------

export function MyWork() {
  const load = useLoader('my', loadMyWorkOrders);
  const me = useStore((s) => s.viewer?.user.id);
  // Survey work orders I take part in (security staff, unit heads) are mine too.
  const surveyOrders = useStore(
    (s) =>
      new Set(
        Object.values(s.surveys)
          .filter((x) => isParty(x, me))
          .map((x) => x.workOrderId),
      ),
  );
  // The loaded list plus orders assigned to me that came by pull (e.g. offline).
  const items = useStore((s) => selectWorkOrderList(s, 'myWorkOrders', (w) => w.status !== 'CLOSED' && (!me || w.assigneeId === me || surveyOrders.has(w.id))));
  const updatedAt = useStore((s) => s.lists.myWorkOrders?.updatedAt);
  const refusals = useStore((s) => refusalsFor(s, me));
  const users = useStore((s) => s.users);
  const outbox = useOutbox();
  const refused = useStore((s) => workOrdersWithRefusedSignatures(s, outbox));
  const viewer = useStore((s) => s.viewer);
  return (
    <main class="screen">
      <div class="title-row">
        <h1>{t('my.title')}</h1>
        {can(viewer, 'minutes.sign') && (
          <a class="btn-secondary scan-link" href={href('/scan')}>
            {t('my.scan')}
          </a>
        )}
      </div>
      {refusals.length > 0 && (
        <div class="error" role="alert">
          <p>
            <strong>{t('my.refusals')}</strong>
          </p>
          <ul class="plain">
            {refusals.map((r) => (
              <li key={r.id}>
                <a href={href(`/minutes/${r.minutesId}`)}>
                  {t('my.refusalLine', { reason: refusalText(r.code), time: formatDateTime(r.at), who: users[r.capturedById]?.fullName ?? t('common.none') })}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}
      <Freshness updatedAt={updatedAt} load={load} />
      <WorkOrderList items={items} empty={t('my.empty')} loading={load.loading && !updatedAt} flagged={refused} />
    </main>
  );
}

function WorkOrderList({ items, empty, loading, flagged }: { items: WorkOrderView[]; empty: string; loading: boolean; flagged?: Set<string> }) {
  if (loading) return <p class="muted">{t('common.loading')}</p>;
  if (!items.length) return <p class="empty">{empty}</p>;
  return (
    <ul class="cards">
      {items.map((wo) => (
        <WorkOrderCard key={wo.id} wo={wo}>
          {flagged?.has(wo.id) && (
            <p class="card-flag error" role="alert">
              {t('my.signatureRefused')}
            </p>
          )}
        </WorkOrderCard>
      ))}
    </ul>
  );
}

export function ReviewQueue() {
  const load = useLoader('review', loadReviewQueue);
  const items = useStore((s) => selectWorkOrderList(s, 'reviewQueue', (w) => w.status === 'SUBMITTED'));
  const updatedAt = useStore((s) => s.lists.reviewQueue?.updatedAt);
  const [returning, setReturning] = useState<WorkOrderView | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);

  async function approve(wo: WorkOrderView) {
    setBusy(wo.id);
    setMsg(null);
    const r = await dispatch('workorder.approve', { workOrderId: wo.id, comment: '' });
    setBusy(null);
    setMsg(r.ok ? { ok: true, text: `${wo.number}: ${t('wo.queued')}` } : { ok: false, text: r.error.message });
  }

  return (
    <main class="screen">
      <h1>{t('review.title')}</h1>
      <Freshness updatedAt={updatedAt} load={load} />
      <Feedback msg={msg} />
      {load.loading && !updatedAt ? (
        <p class="muted">{t('common.loading')}</p>
      ) : !items.length ? (
        <p class="empty">{t('review.empty')}</p>
      ) : (
        <ul class="cards">
          {items.map((wo) => (
            <WorkOrderCard key={wo.id} wo={wo}>
              <div class="card-actions">
                <button
                  type="button"
                  class="btn-primary"
                  disabled={busy === wo.id}
                  aria-label={`${t('action.APPROVE')} ${wo.number}`}
                  onClick={() => approve(wo)}
                >
                  {t('action.APPROVE')}
                </button>
                <button
                  type="button"
                  class="btn-secondary"
                  disabled={busy === wo.id}
                  aria-label={`${t('action.RETURN')} ${wo.number}`}
                  onClick={() => setReturning(wo)}
                >
                  {t('action.RETURN')}
                </button>
              </div>
            </WorkOrderCard>
          ))}
        </ul>
      )}
      {returning && (
        <ReturnSheet
          wo={returning}
          onClose={() => setReturning(null)}
          onDone={(r) => {
            setMsg(r.ok ? { ok: true, text: `${returning.number}: ${t('wo.queued')}` } : { ok: false, text: r.error.message });
            if (r.ok) setReturning(null);
          }}
        />
      )}
    </main>
  );
}

export function WorkOrders() {
  const [status, setStatus] = useState<WorkOrderStatus | null>(null);
  const key = workOrdersListKey(status);
  const load = useLoader(key, () => loadWorkOrders(status));
  const items = useStore((s) => selectWorkOrderList(s, key, (w) => !status || w.status === status));
  const list = useStore((s) => s.lists[key]);
  const viewer = useStore((s) => s.viewer);
  return (
    <main class="screen">
      <h1>{t('wos.title')}</h1>
      {(can(viewer, 'surveys.request') || can(viewer, 'surveys.approve')) && (
        <a class="btn-secondary wide link-btn" href={href('/surveys')}>
          {t('surveys.link')}
        </a>
      )}
      <label class="lbl">
        {t('wos.filter')}
        <select value={status ?? ''} onChange={(e) => setStatus((e.currentTarget.value || null) as WorkOrderStatus | null)}>
          <option value="">{t('wos.all')}</option>
          {WORK_ORDER_STATUSES.map((st) => (
            <option key={st} value={st}>
              {enumLabel('status', st)}
            </option>
          ))}
        </select>
      </label>
      <Freshness updatedAt={list?.updatedAt} load={load} />
      {list?.total !== undefined && <p class="muted small">{t('wos.total', { n: list.total })}</p>}
      <WorkOrderList items={items} empty={t('common.empty')} loading={load.loading && !list} />
    </main>
  );
}

// --- detail --------------------------------------------------------------------------

type SheetKind = 'note' | 'submit' | 'return' | 'close' | 'assign' | 'edit' | null;

/** `workorders.edit`: technicians for the orders assigned to them, managers/admins for all; never once
 * submitted (SUBMITTED, APPROVED, CLOSED) — a manager returns the order to have it changed. */
export function canEditWorkOrder(viewer: Viewer | null | undefined, wo: Pick<WorkOrderView, 'status' | 'assigneeId'>): boolean {
  if (!viewer || isFrozen(wo.status) || !can(viewer, 'workorders.edit')) return false;
  return seesEverything(viewer) || wo.assigneeId === viewer.user.id;
}

export function WorkOrderDetail({ id }: { id: string }) {
  const [missing, setMissing] = useState(false);
  const load = useLoader(`wo:${id}`, async () => setMissing(!(await loadWorkOrder(id))));
  const wo = useStore((s) => selectWorkOrder(s, id));
  const fetchedAt = useStore((s) => s.fetchedAt[`workOrder:${id}`]);
  const viewer = useStore((s) => s.viewer);
  const survey = useStore((s) => surveyOfWorkOrder(s, id));
  const fromSurvey = useStore((s) => {
    const sv = surveyOfInstallation(s, id);
    return sv ? { id: sv.id, number: s.workOrders[sv.workOrderId]?.number ?? '…', olur: sv.olurReference } : null;
  });
  const [sheet, setSheet] = useState<SheetKind>(null);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);

  async function run<N extends CommandName>(name: N, args: CommandArgs[N]): Promise<DispatchResult> {
    setBusy(true);
    setMsg(null);
    const r = await dispatch(name, args);
    setBusy(false);
    setMsg(r.ok ? { ok: true, text: t('wo.queued') } : { ok: false, text: r.error.message });
    if (r.ok) setSheet(null);
    return r;
  }

  async function addPhoto(file: File | undefined) {
    if (!file || !wo) return;
    setBusy(true);
    setMsg({ ok: true, text: t('wo.photoSaving') });
    try {
      const row = await savePhoto(file);
      const args = { id: newId(), workOrderId: wo.id, blobSha256: row.sha256, contentType: row.contentType, kind: 'PHOTO' as const };
      const r = await dispatch('workorder.attach', args, { blobRefs: [row.sha256] });
      setMsg(r.ok ? { ok: true, text: t('wo.queued') } : { ok: false, text: r.error.message });
    } catch {
      setMsg({ ok: false, text: t('error.storage') });
    } finally {
      setBusy(false);
    }
  }

  if (!wo) {
    return (
      <main class="screen">
        <BackLink to="/" />
        {load.loading ? <p class="muted">{t('common.loading')}</p> : missing ? <p class="empty">{t('common.notFound')}</p> : <Freshness load={load} />}
      </main>
    );
  }

  const actions = wo.allowedActions;
  const has = (a: WorkOrderAction) => actions.includes(a);
  const editable = canEditWorkOrder(viewer, wo);
  const withBar = actions.length > 0 || editable;
  const backTo = can(viewer, 'workorders.approve') && wo.status === 'SUBMITTED' ? '/review' : '/';

  return (
    <main class={`screen ${withBar ? 'with-actions' : ''}`}>
      <BackLink to={backTo} />
      <p class="wo-number">{wo.number}</p>
      <h1>{wo.title}</h1>
      <div class="badges">
        <StatusBadge status={wo.status} />
        <PriorityBadge priority={wo.priority} />
      </div>
      <Freshness updatedAt={fetchedAt} load={load} />
      <Feedback msg={msg} />
      {missing && <p class="error">{t('common.notFound')}</p>}
      {wo.returnReason && wo.status === 'RETURNED' && (
        <div class="callout">
          <strong>{t('wo.returnReason')}:</strong> {wo.returnReason}
        </div>
      )}
      {survey && (
        <a class="btn-primary wide link-btn" href={href(`/survey/${survey.id}`)}>
          {t('wo.openSurvey')}
        </a>
      )}
      {fromSurvey && (
        <p class="callout">
          {t('wo.fromSurvey')}{' '}
          <a href={href(`/survey/${fromSurvey.id}`)}>
            {fromSurvey.number}
            {fromSurvey.olur ? ` · ${t('wo.olur', { ref: fromSurvey.olur })}` : ''}
          </a>
        </p>
      )}
      <dl class="fields">
        <Field label={t('wo.type')}>{enumLabel('woType', wo.type)}</Field>
        <Field label={t('wo.site')}>{wo.site ? <a href={href(`/site/${wo.site.id}`)}>{`${wo.site.code} · ${wo.site.name}`}</a> : t('common.none')}</Field>
        <Field label={t('wo.due')}>{formatDate(wo.dueOn)}</Field>
        <Field label={t('wo.assignee')}>{wo.assignee?.fullName ?? t('wo.unassigned')}</Field>
        <Field label={t('wo.createdBy')}>{wo.createdBy?.fullName ?? t('common.none')}</Field>
        <Field label={t('wo.createdAt')}>{formatDateTime(wo.createdAt)}</Field>
        <Field label={t('wo.updatedAt')}>{formatDateTime(wo.updatedAt)}</Field>
      </dl>
      {wo.description && (
        <section>
          <h2>{t('wo.description')}</h2>
          <p class="prewrap">{wo.description}</p>
        </section>
      )}
      <section>
        <h2>{t('wo.devices')}</h2>
        {wo.devices.length ? (
          <ul class="links">
            {wo.devices.map((d) => (
              <li key={d.id}>
                <a href={href(`/device/${d.id}?wo=${encodeURIComponent(wo.id)}`)}>
                  {enumLabel('deviceKind', d.kind)} · {d.assetTag} · {d.make} {d.model}
                </a>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t('wo.noDevices')}</p>
        )}
      </section>
      <section>
        <h2>{t('wo.photos')}</h2>
        {wo.attachments.length ? (
          <ul class="photos" aria-label={t('wo.photos')}>
            {wo.attachments.map((a) => (
              <li key={a.id}>
                <Photo a={a} />
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t('wo.noPhotos')}</p>
        )}
        {has('ADD_NOTE') && isFrozen(wo.status) && <p class="muted small">{t('wo.frozenPhotos')}</p>}
        {has('ADD_NOTE') && !isFrozen(wo.status) && (
          <label class="file-btn">
            {t('wo.addPhoto')}
            <input
              type="file"
              accept="image/*"
              capture="environment"
              disabled={busy}
              onChange={(e) => {
                const input = e.currentTarget;
                void addPhoto(input.files?.[0]).finally(() => (input.value = ''));
              }}
            />
          </label>
        )}
      </section>
      <section>
        <h2>{t('wo.timeline')}</h2>
        <ol class="timeline" aria-label={t('wo.timeline')}>
          {wo.timeline.map((ev) => (
            <li key={ev.id} class={`ev ev-${ev.kind.toLowerCase()}${ev.pending ? ' ev-pending' : ''}`}>
              <div class="ev-head">
                <strong>{enumLabel('event', ev.kind)}</strong>
                {ev.pending && <span class="pending-tag">{t('wo.pending')}</span>}
                <time dateTime={ev.at}>{formatDateTime(ev.at)}</time>
              </div>
              <div class="muted small">
                {ev.actor?.fullName ?? t('event.system')}
                {ev.fromStatus && ev.toStatus && ev.fromStatus !== ev.toStatus && (
                  <span>
                    {' · '}
                    {enumLabel('status', ev.fromStatus)} → {enumLabel('status', ev.toStatus)}
                  </span>
                )}
                {!ev.fromStatus && ev.toStatus && <span> · {enumLabel('status', ev.toStatus)}</span>}
              </div>
              {ev.kind === 'EDITED' && ev.changes?.length ? (
                <ul class="plain ev-changes" aria-label={t('wo.changes')}>
                  {changeLines(ev.changes).map((line, i) => (
                    <li key={i} class="prewrap">
                      {line}
                    </li>
                  ))}
                </ul>
              ) : (
                ev.text && <p class="ev-text prewrap">{ev.kind === 'EDITED' ? editedFieldsText(ev.text) : ev.text}</p>
              )}
            </li>
          ))}
        </ol>
      </section>

      {withBar && (
        <div class="actionbar" role="group" aria-label={t('wo.actions')}>
          {has('START') && (
            <button type="button" class="btn-primary" disabled={busy} onClick={() => run('workorder.start', { workOrderId: wo.id })}>
              {t('action.START')}
            </button>
          )}
          {has('ADD_NOTE') && (
            <button type="button" class="btn-secondary" disabled={busy} onClick={() => setSheet('note')}>
              {t('action.ADD_NOTE')}
            </button>
          )}
          {has('SUBMIT') && (
            <button type="button" class="btn-primary" disabled={busy} onClick={() => setSheet('submit')}>
              {t('action.SUBMIT')}
            </button>
          )}
          {has('APPROVE') && (
            <button type="button" class="btn-primary" disabled={busy} onClick={() => run('workorder.approve', { workOrderId: wo.id, comment: '' })}>
              {t('action.APPROVE')}
            </button>
          )}
          {has('RETURN') && (
            <button type="button" class="btn-secondary" disabled={busy} onClick={() => setSheet('return')}>
              {t('action.RETURN')}
            </button>
          )}
          {has('ASSIGN') && (
            <button type="button" class="btn-secondary" disabled={busy} onClick={() => setSheet('assign')}>
              {t('action.ASSIGN')}
            </button>
          )}
          {has('CLOSE') && (
            <button type="button" class="btn-secondary" disabled={busy} onClick={() => setSheet('close')}>
              {t('action.CLOSE')}
            </button>
          )}
          {editable && (
            <button type="button" class="btn-secondary" disabled={busy} onClick={() => (setMsg(null), setSheet('edit'))}>
              {t('action.EDIT')}
            </button>
          )}
        </div>
      )}

      {sheet === 'note' && (
        <TextSheet
          title={t('action.ADD_NOTE')}
          label={t('form.note')}
          confirm={t('form.noteSave')}
          required
          busy={busy}
          error={msg && !msg.ok ? msg.text : null}
          onClose={() => setSheet(null)}
          onConfirm={(text) => run('workorder.addNote', { workOrderId: wo.id, text })}
        />
      )}
      {sheet === 'submit' && (
        <TextSheet
          title={t('action.SUBMIT')}
          label={t('form.summary')}
          confirm={t('form.submitConfirm')}
          busy={busy}
          error={msg && !msg.ok ? msg.text : null}
          onClose={() => setSheet(null)}
          onConfirm={(summary) => run('workorder.submit', { workOrderId: wo.id, summary })}
        />
      )}
      {sheet === 'return' && (
        <ReturnSheet
          wo={wo}
          onClose={() => setSheet(null)}
          onDone={(r) => {
            setMsg(r.ok ? { ok: true, text: t('wo.done') } : { ok: false, text: r.error.message });
            if (r.ok) setSheet(null);
          }}
        />
      )}
      {sheet === 'close' && (
        <Sheet title={t('form.closeQuestion')} onClose={() => setSheet(null)}>
          <SheetActions
            onCancel={() => setSheet(null)}
            confirm={t('form.closeConfirm')}
            danger
            disabled={busy}
            onConfirm={() => run('workorder.close', { workOrderId: wo.id })}
          />
        </Sheet>
      )}
      {sheet === 'edit' && (
        <EditSheet
          wo={wo}
          onClose={() => setSheet(null)}
          onDone={() => {
            setMsg({ ok: true, text: t('wo.queued') });
            setSheet(null);
          }}
        />
      )}
      {sheet === 'assign' && (
        <AssignSheet
          wo={wo}
          busy={busy}
          error={msg && !msg.ok ? msg.text : null}
          onClose={() => setSheet(null)}
          onConfirm={(assigneeId) => run('workorder.assign', { workOrderId: wo.id, assigneeId })}
        />
      )}
    </main>
  );
}

function Photo({ a }: { a: AttachmentRecord }) {
  const who = useStore((s) => (a.createdById ? s.users[a.createdById]?.fullName : undefined)) ?? t('event.system');
  return <BlobImage sha={a.blobSha256} alt={t('wo.photoAlt', { who })} />;
}

function ReturnSheet({ wo, onClose, onDone }: { wo: WorkOrderView; onClose: () => void; onDone: (r: DispatchResult) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <TextSheet
      title={`${t('action.RETURN')}: ${wo.number}`}
      label={t('form.reason')}
      hint={t('form.reasonHint')}
      confirm={t('form.returnConfirm')}
      required
      busy={busy}
      error={error}
      onClose={onClose}
      onConfirm={async (reason) => {
        if (!reason) {
          setError(t('form.reasonRequired'));
          return;
        }
        setBusy(true);
        const r = await dispatch('workorder.return', { workOrderId: wo.id, reason });
        setBusy(false);
        if (!r.ok) setError(r.error.message);
        onDone(r);
      }}
    />
  );
}

function AssignSheet(props: { wo: WorkOrderView; busy: boolean; error: string | null; onClose: () => void; onConfirm: (id: string) => void }) {
  const load = useLoader('technicians', loadTechnicians);
  const techs = useStore((s) => (s.lists.technicians?.ids ?? []).map((id) => s.users[id]).filter(Boolean));
  const [choice, setChoice] = useState(props.wo.assigneeId ?? '');
  return (
    <Sheet title={`${t('action.ASSIGN')}: ${props.wo.number}`} onClose={props.onClose}>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (choice) props.onConfirm(choice);
        }}
      >
        <label class="lbl">
          {t('form.technician')}
          <select value={choice} onChange={(e) => setChoice(e.currentTarget.value)}>
            <option value="">{t('form.chooseTechnician')}</option>
            {techs.map((u) => (
              <option key={u.id} value={u.id}>
                {u.fullName}
              </option>
            ))}
          </select>
        </label>
        {load.loading && <p class="muted small">{t('common.loading')}</p>}
        {(props.error || load.error) && (
          <p class="error" role="alert">
            {props.error ?? load.error}
          </p>
        )}
        <SheetActions onCancel={props.onClose} confirm={t('form.assignConfirm')} disabled={props.busy || !choice} />
      </form>
    </Sheet>
  );
}

/** What the edit form compares against: the order as shown when the sheet opened. */
interface EditStart extends EditForm {
  version: number;
}

function EditSheet({ wo, onClose, onDone }: { wo: WorkOrderView; onClose: () => void; onDone: (r: DispatchResult) => void }) {
  // Captured once: the base version of this edit is the one the person saw when they began.
  const [start] = useState<EditStart>(() => ({
    version: wo.version,
    title: wo.title,
    description: wo.description ?? '',
    priority: wo.priority,
    dueOn: wo.dueOn ?? '',
  }));
  const [form, setForm] = useState({ title: start.title, description: start.description, priority: start.priority, dueOn: start.dueOn });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof form) => (e: Event) => setForm((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }));
  const changes = editChanges(start, form);
  const changed = Object.keys(changes).length > 0;

  async function save(e: Event) {
    e.preventDefault();
    if (!form.title.trim()) return setError(t('form.titleRequired'));
    if (!changed) return setError(t('form.noChanges'));
    setBusy(true);
    setError(null);
    const r = await dispatch('workorder.update', { workOrderId: wo.id, ...changes }, { baseVersions: { [`workOrder:${wo.id}`]: start.version } });
    setBusy(false);
    if (!r.ok) setError(r.error.message);
    else onDone(r);
  }

  return (
    <Sheet title={t('form.editTitle', { number: wo.number })} onClose={onClose}>
      <form class="stack" onSubmit={save}>
        <label class="lbl">
          {t('field.title')}
          <input type="text" value={form.title} required minLength={3} maxLength={160} onInput={set('title')} />
        </label>
        <label class="lbl">
          {t('field.description')}
          <textarea rows={5} value={form.description} maxLength={4000} onInput={set('description')} />
        </label>
        <label class="lbl">
          {t('field.priority')}
          <select value={form.priority} onChange={set('priority')}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {enumLabel('priority', p)}
              </option>
            ))}
          </select>
        </label>
        <label class="lbl">
          {t('field.dueOn')}
          <input type="date" value={form.dueOn} onInput={set('dueOn')} aria-describedby="due-hint" />
        </label>
        <p id="due-hint" class="muted small">
          {t('form.dueHint')}
        </p>
        <p class="muted small">{t('form.editHint')}</p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <SheetActions onCancel={onClose} confirm={t('form.editSave')} busy={busy} disabled={!changed || !form.title.trim()} />
      </form>
    </Sheet>
  );
}
