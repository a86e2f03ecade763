/**
 * Public verification of survey minutes (no sign-in): by verification code (`GET /api/verify/<code>`)
 * or by the PDF itself (`POST /api/verify`, the raw bytes). Shows the server's verdict big, its
 * Turkish sentence, and whose signatures the minutes carry.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { NetworkError, publicFetch } from '../api/client';
import { enumLabel, formatDateTime, t } from '../i18n';
import { normalizeCode } from '../lib/minutes';
import { currentPath } from '../lib/router';
import { BackLink, Field } from '../ui/components';

export type Verdict = 'VALID' | 'INVALID' | 'UNKNOWN' | 'NOT_SEALED';
export interface VerifyAnswer {
  verdict: Verdict;
  message: string;
  code: string | null;
  pdf: null | {
    signed: boolean;
    intact: boolean;
    valid: boolean;
    signer: string | null;
    signedAt: string | null;
    problem: string | null;
    matchesRecord: boolean;
  };
  minutes: null | {
    id: string;
    verificationCode: string;
    contentHash: string;
    revision: number;
    status: string;
    sealedAt: string | null;
    workOrderNumber: string;
    siteName: string;
    requestingUnit: string;
    conclusion: string | null;
    supersedesCode: string | null;
    supersededByCode: string | null;
    signatures: { role: string; name: string; signedAt: string; recordedAt: string }[];
  };
}

/** `?code=…` of the hash route (`#/verify?code=ABCD-EFGH-JKLM`). */
export function codeFromRoute(path = currentPath()): string {
  const q = path.split('?')[1] ?? '';
  return new URLSearchParams(q).get('code') ?? '';
}

async function ask(req: () => Promise<Response>): Promise<VerifyAnswer | string> {
  try {
    const res = await req();
    try {
      const body = (await res.json()) as Partial<VerifyAnswer> & { message?: string };
      if (body.verdict) return body as VerifyAnswer;
      return body.message ?? t('verify.failed', { status: res.status });
    } catch {
      return t('verify.failed', { status: res.status });
    }
  } catch (e) {
    return e instanceof NetworkError ? t('verify.offline') : t('error.unexpected');
  }
}

export function VerifyPage({ signedIn }: { signedIn: boolean }) {
  const [code, setCode] = useState(() => codeFromRoute());
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<VerifyAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Stable across renders, so the effect below runs once (a code in the link is looked up at once).
  const show = useCallback((r: VerifyAnswer | string) => {
    if (typeof r === 'string') {
      setError(r);
      setAnswer(null);
    } else {
      setAnswer(r);
      setError(null);
    }
  }, []);

  const byCode = useCallback(
    async (raw: string) => {
      const c = normalizeCode(raw);
      if (!c) return show(t('verify.badCode'));
      setBusy(true);
      show(await ask(() => publicFetch(`/api/verify/${encodeURIComponent(c)}`, { headers: { Accept: 'application/json' } })));
      setBusy(false);
    },
    [show],
  );

  async function byPdf(file: File | undefined) {
    if (!file) return;
    setBusy(true);
    const bytes = await file.arrayBuffer();
    show(
      await ask(() => publicFetch('/api/verify', { method: 'POST', body: bytes, headers: { 'Content-Type': 'application/pdf', Accept: 'application/json' } })),
    );
    setBusy(false);
  }

  useEffect(() => {
    const c = codeFromRoute();
    if (c) void byCode(c);
  }, [byCode]);

  return (
    <main class="screen verify">
      <BackLink to={signedIn ? '/' : '/signin'} label={signedIn ? t('common.back') : t('signin.title')} />
      <h1>{t('verify.title')}</h1>
      <p class="muted">{t('verify.intro')}</p>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void byCode(code);
        }}
      >
        <label class="lbl">
          {t('verify.code')}
          <input
            type="text"
            value={code}
            autocapitalize="characters"
            autocomplete="off"
            spellcheck={false}
            placeholder="XXXX-XXXX-XXXX"
            maxLength={20}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="btn-primary" disabled={busy || !code.trim()}>
          {t('verify.check')}
        </button>
      </form>
      <p class="muted or">{t('verify.or')}</p>
      <label class="file-btn wide">
        {t('verify.pdf')}
        <input
          type="file"
          accept="application/pdf,.pdf"
          disabled={busy}
          onChange={(e) => {
            const input = e.currentTarget;
            void byPdf(input.files?.[0]).finally(() => (input.value = ''));
          }}
        />
      </label>
      {busy && <p class="muted">{t('common.loading')}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {answer && <VerifyResult a={answer} />}
    </main>
  );
}

function VerifyResult({ a }: { a: VerifyAnswer }) {
  const m = a.minutes;
  return (
    <section class={`verdict verdict-${a.verdict.toLowerCase()}`} aria-live="polite">
      <p class="verdict-word" role="status" data-verdict={a.verdict}>
        {enumLabel('verdict', a.verdict)}
      </p>
      <p class="verdict-msg">{a.message}</p>
      {a.pdf && (
        <dl class="fields">
          <Field label={t('verify.pdfSigned')}>{a.pdf.signed ? t('common.yes') : t('common.no')}</Field>
          <Field label={t('verify.pdfIntact')}>{a.pdf.intact ? t('common.yes') : t('common.no')}</Field>
          <Field label={t('verify.pdfSigner')}>{a.pdf.signer ?? t('common.none')}</Field>
          <Field label={t('verify.pdfSignedAt')}>{formatDateTime(a.pdf.signedAt)}</Field>
          <Field label={t('verify.pdfMatches')}>{a.pdf.matchesRecord ? t('common.yes') : t('common.no')}</Field>
          {a.pdf.problem && <Field label={t('verify.pdfProblem')}>{a.pdf.problem}</Field>}
        </dl>
      )}
      {m && (
        <>
          <dl class="fields">
            <Field label={t('minutes.verificationCode')}>
              <code>{m.verificationCode}</code>
            </Field>
            <Field label={t('wo.number')}>{m.workOrderNumber}</Field>
            <Field label={t('wo.site')}>{m.siteName}</Field>
            <Field label={t('survey.requestingUnit')}>{m.requestingUnit}</Field>
            <Field label={t('minutes.revisionLabel')}>{String(m.revision)}</Field>
            <Field label={t('wo.status')}>{enumLabel('minutesStatus', m.status)}</Field>
            <Field label={t('minutes.sealedAtLabel')}>{formatDateTime(m.sealedAt)}</Field>
            <Field label={t('survey.conclusion')}>{enumLabel('conclusion', m.conclusion)}</Field>
            {m.supersedesCode && <Field label={t('verify.supersedes')}>{m.supersedesCode}</Field>}
            {m.supersededByCode && <Field label={t('verify.supersededBy')}>{m.supersededByCode}</Field>}
          </dl>
          <h2>{t('minutes.signatures')}</h2>
          <ul class="cards" aria-label={t('minutes.signatures')}>
            {m.signatures.map((s) => (
              <li key={s.role} class="card sig-line">
                <p class="card-title">{enumLabel('minutes.role', s.role)}</p>
                <p>{s.name}</p>
                <p class="muted small">{t('minutes.signedAt', { time: formatDateTime(s.signedAt) })}</p>
                <p class="muted small">{t('minutes.recordedAt', { time: formatDateTime(s.recordedAt) })}</p>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
