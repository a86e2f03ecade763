import { useState } from 'preact/hooks';
import type { DispatchResult } from '../../outbox/dispatch';
import { TextSheet } from '../../ui/components';

/** A reason sheet that dispatches and reports. */
export function ReasonSheet(props: {
  title: string;
  label: string;
  hint?: string;
  confirm: string;
  onClose: () => void;
  onConfirm: (reason: string) => Promise<DispatchResult>;
  onDone: (r: DispatchResult) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <TextSheet
      title={props.title}
      label={props.label}
      hint={props.hint}
      confirm={props.confirm}
      required
      busy={busy}
      error={error}
      onClose={props.onClose}
      onConfirm={async (reason) => {
        setBusy(true);
        const r = await props.onConfirm(reason);
        setBusy(false);
        if (!r.ok) setError(r.error.message);
        else props.onDone(r);
      }}
    />
  );
}
