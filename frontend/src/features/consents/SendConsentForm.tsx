import { useId, useRef, useState, type FormEvent } from 'react';
import { kindLabel, useConsentTemplates, useSendConsent } from '../../api/consents';
import { PLAN_STATUS_LABELS, type Plan } from '../../api/plans';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { toastSuccess } from '../../lib/toast';
import { ConsentText } from './ConsentText';

/** Pick a template (and optionally the plan it is about) and send it to the patient's portal. */
export function SendConsentForm({ patientId, patientName, plans }: { patientId: string; patientName: string; plans: Plan[] }) {
  const id = useId();
  const templates = useConsentTemplates();
  const send = useSendConsent(patientId);
  const [templateId, setTemplateId] = useState('');
  const [planId, setPlanId] = useState('');
  const [templateError, setTemplateError] = useState<string | undefined>();
  const [error, setError] = useState<{ message: string; requestId: string } | null>(null);
  const selectRef = useRef<HTMLSelectElement>(null);

  const active = (templates.data ?? []).filter((t) => t.active);
  const chosen = active.find((t) => t.id === templateId);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (!templateId) {
      setTemplateError('Choose the form to send.');
      selectRef.current?.focus();
      return;
    }
    setTemplateError(undefined);
    try {
      const sent = await send.mutateAsync(planId ? { templateId, planId } : { templateId });
      toastSuccess(`“${sent?.title ?? chosen?.title ?? 'The form'}” sent to ${patientName}. They sign it in the patient portal.`);
      setTemplateId('');
      setPlanId('');
    } catch (err) {
      if (isApiError(err) && err.hasField('templateId')) {
        setTemplateError(err.fieldMessage('templateId'));
        selectRef.current?.focus();
      } else {
        setError(
          isApiError(err)
            ? { message: err.message, requestId: err.requestId }
            : { message: 'Could not send the form. Please try again.', requestId: '' },
        );
      }
    }
  }

  if (templates.isError) {
    return <ErrorNotice error={templates.error} title="Could not load the consent templates" onRetry={() => void templates.refetch()} />;
  }
  if (templates.isPending) return <Skeleton lines={2} label="Loading consent templates…" />;
  if (active.length === 0) {
    return <p className="muted">There are no active consent templates. An admin can add them on the Consent templates page.</p>;
  }

  return (
    <form className="consent-send" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="consent-send-title">
      {error && (
        <p className="form-error" role="alert">
          {error.message}
          {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
        </p>
      )}
      <div className="consent-send__fields">
        <div className="field">
          <label htmlFor={`${id}-template`}>Form</label>
          <select
            ref={selectRef}
            id={`${id}-template`}
            value={templateId}
            onChange={(e) => {
              setTemplateId(e.target.value);
              setTemplateError(undefined);
            }}
            aria-invalid={templateError ? true : undefined}
            aria-describedby={templateError ? `${id}-template-error` : undefined}
          >
            <option value="">Choose a form…</option>
            {active.map((t) => (
              <option key={t.id} value={t.id}>
                {t.title} ({kindLabel(t.kind)}, v{t.version})
              </option>
            ))}
          </select>
          {templateError && (
            <p id={`${id}-template-error`} className="field__error">
              {templateError}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-plan`}>Treatment plan (optional)</label>
          <select
            id={`${id}-plan`}
            value={planId}
            onChange={(e) => setPlanId(e.target.value)}
            aria-describedby={`${id}-plan-hint`}
          >
            <option value="">Not tied to a plan</option>
            {plans.map((plan) => (
              <option key={plan.id} value={plan.id}>
                {plan.title} ({PLAN_STATUS_LABELS[plan.status] ?? plan.status})
              </option>
            ))}
          </select>
          <p id={`${id}-plan-hint`} className="field__hint">
            {plans.length === 0 ? `${patientName} has no treatment plans.` : 'The plan this consent is for, if any.'}
          </p>
        </div>
      </div>
      {chosen && (
        <details className="consent-preview">
          <summary>Preview “{chosen.title}”</summary>
          <ConsentText body={chosen.body} />
        </details>
      )}
      <div className="button-row">
        <button type="submit" className="button-primary" disabled={send.isPending}>
          {send.isPending ? 'Sending…' : 'Send to patient'}
        </button>
      </div>
    </form>
  );
}
