import { useEffect, useId, useRef, useState, type FormEvent, type RefObject } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import {
  consentParagraphs,
  sortConsents,
  useConsent,
  useDownloadConsentPdf,
  useMyConsents,
  useSignConsent,
  type Consent,
} from '../../api/consents';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { formatDateTime } from '../../lib/time';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';

/** "for you", or "for Sam Avery" when the signed-in patient signs as guardian. */
export function whoseForm(consent: Pick<Consent, 'patientId' | 'patientName'>, myPatientId: string | undefined): string {
  if (!myPatientId || consent.patientId === myPatientId) return 'for you';
  return `for ${consent.patientName || 'a family member'}`;
}

const isMine = (c: Pick<Consent, 'patientId'>, myPatientId: string | undefined) => !myPatientId || c.patientId === myPatientId;

/** `/portal/forms`: the forms to sign (pending first), reading one in full, signing with a typed name, signed ones' PDFs. */
export default function PortalFormsPage() {
  const [params, setParams] = useSearchParams();
  const openId = params.get('form');
  const headingRef = useRef<HTMLHeadingElement>(null);

  function close() {
    setParams({}, { replace: false });
    setTimeout(() => headingRef.current?.focus(), 0);
  }

  return (
    <main id="main" className="page consent-portal">
      {openId ? (
        <ReadingView id={openId} onBack={close} />
      ) : (
        <FormsList headingRef={headingRef} />
      )}
    </main>
  );
}

function FormsList({ headingRef }: { headingRef: RefObject<HTMLHeadingElement> }) {
  const user = useSessionStore((s) => s.user);
  const timeZone = useClinicTimeZone();
  const forms = useMyConsents();
  const download = useDownloadConsentPdf();
  const list = sortConsents(forms.data ?? []);
  const pending = list.filter((c) => c.status !== 'signed');
  const signed = list.filter((c) => c.status === 'signed');

  return (
    <>
      <h1 ref={headingRef} tabIndex={-1}>
        Forms to sign
      </h1>
      <p className="lead">Consent forms from your dental practice. Read each one in full before you sign it.</p>
      {forms.isError ? (
        <ErrorNotice error={forms.error} title="Could not load your forms" onRetry={() => void forms.refetch()} />
      ) : forms.isPending ? (
        <Skeleton lines={5} label="Loading your forms…" />
      ) : list.length === 0 ? (
        <div className="empty-state">
          <p>You have no forms to sign. When your practice sends one, it appears here.</p>
        </div>
      ) : (
        <>
          <section aria-labelledby="consent-portal-pending" className="consent-section">
            <h2 id="consent-portal-pending" className="section-title">
              Waiting for your signature ({pending.length})
            </h2>
            {pending.length === 0 ? (
              <p className="muted">Nothing to sign right now. Thank you.</p>
            ) : (
              <ul className="consent-list">
                {pending.map((c) => (
                  <li key={c.id} className="consent-item consent-item--pending">
                    <div className="consent-item__main">
                      <h3 className="consent-item__title">{c.title}</h3>
                      <p className="consent-item__whose">
                        <strong>{capitalise(whoseForm(c, user?.patientId))}</strong>
                        {!isMine(c, user?.patientId) && ' (you sign as their parent or guardian)'}
                      </p>
                      <p className="consent-item__meta">Sent {formatDateTime(c.sentAt, timeZone)}</p>
                    </div>
                    <div className="button-row consent-item__actions">
                      <Link className="button-primary" to={`?form=${encodeURIComponent(c.id)}`}>
                        Read and sign{' '}<span className="visually-hidden">{`${c.title} ${whoseForm(c, user?.patientId)}`}</span>
                      </Link>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>
          {signed.length > 0 && (
            <section aria-labelledby="consent-portal-signed" className="consent-section">
              <h2 id="consent-portal-signed" className="section-title">
                Signed ({signed.length})
              </h2>
              <ul className="consent-list">
                {signed.map((c) => (
                  <li key={c.id} className="consent-item consent-item--signed">
                    <div className="consent-item__main">
                      <h3 className="consent-item__title">
                        {c.title}{' '}
                        <span className="consent-status consent-status--signed">
                          <span aria-hidden="true">✓ </span>Signed
                        </span>
                      </h3>
                      <p className="consent-item__whose">{capitalise(whoseForm(c, user?.patientId))}</p>
                      {c.signature && (
                        <p className="consent-item__meta">
                          Signed “{c.signature.name}” on {formatDateTime(c.signature.signedAt, timeZone)}
                        </p>
                      )}
                    </div>
                    <div className="button-row consent-item__actions">
                      <button
                        type="button"
                        className="button-secondary"
                        disabled={download.isPending && download.variables?.id === c.id}
                        onClick={() => download.mutate(c)}
                      >
                        {download.isPending && download.variables?.id === c.id ? 'Downloading…' : 'Download PDF'}
                        {' '}<span className="visually-hidden">of {c.title} {whoseForm(c, user?.patientId)}</span>
                      </button>
                      <Link className="button-ghost" to={`?form=${encodeURIComponent(c.id)}`}>
                        Read{' '}<span className="visually-hidden">{c.title}</span>
                      </Link>
                    </div>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </>
  );
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function ReadingView({ id, onBack }: { id: string; onBack: () => void }) {
  const user = useSessionStore((s) => s.user);
  const timeZone = useClinicTimeZone();
  const forms = useMyConsents();
  const fromList = forms.data?.find((c) => c.id === id);
  // Straight from a link (or a reload) the list may not have it yet: ask for the one.
  const one = useConsent(fromList ? null : id);
  const consent = fromList ?? one.data;
  const download = useDownloadConsentPdf();
  const [justSigned, setJustSigned] = useState<Consent | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const doneRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    headingRef.current?.focus();
  }, [id]);
  useEffect(() => {
    if (justSigned) doneRef.current?.focus();
  }, [justSigned]);

  const back = (
    <p className="breadcrumb">
      <button type="button" className="button-link" onClick={onBack}>
        <span aria-hidden="true">← </span>All forms
      </button>
    </p>
  );

  if (!consent) {
    const error = one.error ?? forms.error;
    return (
      <>
        {back}
        <h1 ref={headingRef} tabIndex={-1}>
          {error && isApiError(error) && error.status === 404 ? 'Form not found' : 'Form'}
        </h1>
        {error ? (
          isApiError(error) && error.status === 404 ? (
            <p>This form is not in your portal. It may have been withdrawn.</p>
          ) : (
            <ErrorNotice error={error} title="Could not load the form" onRetry={() => void one.refetch()} />
          )
        ) : (
          <Skeleton lines={8} label="Loading the form…" />
        )}
      </>
    );
  }

  const whose = whoseForm(consent, user?.patientId);
  const mine = isMine(consent, user?.patientId);
  const signedNow = justSigned ?? (consent.status === 'signed' ? consent : null);

  return (
    <>
      {back}
      <article className="consent-reading" aria-labelledby="consent-reading-title">
        <header className="consent-reading__header">
          <h1 id="consent-reading-title" ref={headingRef} tabIndex={-1}>
            {consent.title}
          </h1>
          <p className="consent-item__whose">
            <strong>{capitalise(whose)}</strong>
            {!mine && ' — you sign as their parent or guardian'}
          </p>
          <p className="consent-item__meta">
            Sent {formatDateTime(consent.sentAt, timeZone)} · version {consent.templateVersion}
          </p>
        </header>
        <div className="consent-text consent-text--reading">
          {consentParagraphs(consent.body).map((p, i) => (
            <p key={i}>{p}</p>
          ))}
        </div>
      </article>

      {justSigned ? (
        <div ref={doneRef} tabIndex={-1} className="consent-done" role="status">
          <p className="consent-done__title">
            <span aria-hidden="true">✓ </span>Signed. Thank you.
          </p>
          <p>
            You signed “{justSigned.title}”{mine ? '' : ` ${whose}`} as “{justSigned.signature?.name}”
            {justSigned.signature?.signedAt ? ` on ${formatDateTime(justSigned.signature.signedAt, timeZone)}` : ''}. Your
            practice has it now.
          </p>
          <div className="button-row">
            <button type="button" className="button-primary" disabled={download.isPending} onClick={() => download.mutate(justSigned)}>
              {download.isPending ? 'Downloading…' : 'Download signed PDF'}
            </button>
            <button type="button" className="button-secondary" onClick={onBack}>
              Back to your forms
            </button>
          </div>
        </div>
      ) : signedNow ? (
        <div className="consent-done consent-done--past">
          <p>
            Signed “{signedNow.signature?.name}”
            {signedNow.signature?.signedAt ? ` on ${formatDateTime(signedNow.signature.signedAt, timeZone)}` : ''}.
          </p>
          <div className="button-row">
            <button type="button" className="button-primary" disabled={download.isPending} onClick={() => download.mutate(signedNow)}>
              {download.isPending ? 'Downloading…' : 'Download signed PDF'}
            </button>
          </div>
        </div>
      ) : (
        <SignForm consent={consent} mine={mine} onSigned={setJustSigned} />
      )}
    </>
  );
}

function SignForm({ consent, mine, onSigned }: { consent: Consent; mine: boolean; onSigned: (c: Consent) => void }) {
  const id = useId();
  const user = useSessionStore((s) => s.user);
  const sign = useSignConsent();
  const [signature, setSignature] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<{ message: string; requestId: string } | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const fullName = user ? `${user.firstName} ${user.lastName}`.trim() : '';

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (!signature.trim()) {
      setFieldError('Type your full name to sign.');
      inputRef.current?.focus();
      return;
    }
    setFieldError(undefined);
    try {
      const signed = await sign.mutateAsync({ id: consent.id, signature: signature.trim() });
      onSigned(
        signed?.status === 'signed'
          ? signed
          : { ...consent, status: 'signed', signature: { name: signature.trim(), signedAt: new Date().toISOString() } },
      );
    } catch (err) {
      if (isApiError(err) && err.hasField('signature')) {
        setFieldError(err.fieldMessage('signature') || 'That name does not match your record.');
        inputRef.current?.focus();
      } else if (isApiError(err) && err.status === 409) {
        setError({ message: 'This form has already been signed. Go back to your forms to see it.', requestId: '' });
      } else {
        setError(
          isApiError(err)
            ? { message: err.message, requestId: err.requestId }
            : { message: 'Could not sign the form. Please try again.', requestId: '' },
        );
      }
    }
  }

  return (
    <form className="consent-sign" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="section-title">
        Sign this form
      </h2>
      <p>
        Typing your full name below is your <strong>legal signature</strong>: it means the same as signing this form on
        paper. It is recorded with the date and time.
        {!mine && ` You are signing ${whoseForm(consent, user?.patientId)}, as their parent or guardian.`}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error.message}
          {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
        </p>
      )}
      <div className="field">
        <label htmlFor={`${id}-signature`}>Type your full name to sign</label>
        <input
          ref={inputRef}
          id={`${id}-signature`}
          value={signature}
          autoComplete="name"
          spellCheck={false}
          onChange={(e) => {
            setSignature(e.target.value);
            if (fieldError && e.target.value.trim() && !signature.trim()) setFieldError(undefined);
          }}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={`${id}-hint${fieldError ? ` ${id}-error` : ''}`}
        />
        <p id={`${id}-hint`} className="field__hint">
          {mine ? 'Your name' : 'Your own name, not theirs'}
          {fullName ? `, as on your record: ${fullName}.` : '.'}
        </p>
        {fieldError && (
          <p id={`${id}-error`} className="field__error">
            {fieldError}
          </p>
        )}
      </div>
      <div className="button-row">
        <button type="submit" className="button-primary" disabled={sign.isPending}>
          {sign.isPending ? 'Signing…' : 'Sign form'}
        </button>
      </div>
    </form>
  );
}
