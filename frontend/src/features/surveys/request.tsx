/** The manager's new survey request: site, requesting unit, reason and the three parties. */
import { useState } from 'preact/hooks';
import { t, type MessageKey } from '../../i18n';
import { can } from '../../lib/permissions';
import { navigate } from '../../lib/router';
import { newId } from '../../outbox/commands';
import { dispatch } from '../../outbox/dispatch';
import { useStore } from '../../store/hooks';
import { BackLink } from '../../ui/components';

const byName = (a: { fullName: string }, b: { fullName: string }) => a.fullName.localeCompare(b.fullName, 'tr');

export function SurveyRequestPage() {
  const viewer = useStore((s) => s.viewer);
  const sites = useStore((s) => Object.values(s.sites).sort((a, b) => a.name.localeCompare(b.name, 'tr')));
  const users = useStore((s) => Object.values(s.users).sort(byName));
  const [form, setForm] = useState({ siteId: '', requestingUnit: '', reason: '', unitHeadId: '', technicianId: '', securityId: '', dueOn: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof form) => (e: Event) => setForm((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }));
  const ready =
    !!form.siteId && form.requestingUnit.trim().length >= 2 && form.reason.trim().length >= 2 && !!form.unitHeadId && !!form.technicianId && !!form.securityId;

  if (!can(viewer, 'surveys.request')) {
    return (
      <main class="screen">
        <BackLink to="/" />
        <p class="empty">{t('common.notFound')}</p>
      </main>
    );
  }

  async function save(e: Event) {
    e.preventDefault();
    if (!ready) return setError(t('survey.requestIncomplete'));
    setBusy(true);
    setError(null);
    const id = newId();
    const r = await dispatch('survey.request', {
      id,
      workOrderId: newId(),
      siteId: form.siteId,
      reason: form.reason,
      requestingUnit: form.requestingUnit,
      unitHeadId: form.unitHeadId,
      technicianId: form.technicianId,
      securityId: form.securityId,
      ...(form.dueOn ? { dueOn: form.dueOn } : {}),
    });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    navigate(`/survey/${id}`);
  }

  const people = (role: string) => users.filter((u) => u.role === role);
  const select = (k: 'unitHeadId' | 'technicianId' | 'securityId', label: MessageKey, role: string) => (
    <label class="lbl">
      {t(label)}
      <select value={form[k]} onChange={set(k)} required>
        <option value="">{t('survey.choose')}</option>
        {people(role).map((u) => (
          <option key={u.id} value={u.id}>
            {u.fullName}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <main class="screen">
      <BackLink to="/surveys" label={t('surveys.title')} />
      <h1>{t('survey.newRequest')}</h1>
      <p class="muted small">{t('survey.requestHint')}</p>
      <form class="stack" onSubmit={save}>
        <label class="lbl">
          {t('wo.site')}
          <select value={form.siteId} onChange={set('siteId')} required>
            <option value="">{t('survey.choose')}</option>
            {sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.code} · {s.name}
              </option>
            ))}
          </select>
        </label>
        <label class="lbl">
          {t('survey.requestingUnit')}
          <input type="text" value={form.requestingUnit} required minLength={2} maxLength={200} onInput={set('requestingUnit')} />
        </label>
        <label class="lbl">
          {t('survey.reason')}
          <textarea rows={3} value={form.reason} required minLength={2} maxLength={2000} onInput={set('reason')} />
        </label>
        {select('unitHeadId', 'survey.unitHead', 'UNIT_HEAD')}
        {select('technicianId', 'form.technician', 'TECHNICIAN')}
        {select('securityId', 'survey.security', 'SECURITY')}
        <label class="lbl">
          {t('field.dueOn')}
          <input type="date" value={form.dueOn} onInput={set('dueOn')} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn-primary" disabled={busy || !ready}>
          {busy ? t('wo.sending') : t('survey.requestSave')}
        </button>
      </form>
    </main>
  );
}
