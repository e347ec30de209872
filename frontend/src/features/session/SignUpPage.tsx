import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router-dom';
import { clinicBySlug, isClinicId, type ClinicListing } from '../../api/clinics';
import { Field } from '../../components/Field';
import { isApiError, NETWORK_ERROR_MESSAGE } from '../../lib/api';
import { PracticePicker } from './PracticePicker';
import { register, type RegisterInput } from '../../api/session';
import { useSessionStore } from '../../lib/session';

type FormState = Omit<RegisterInput, 'clinicId' | 'clinicSlug'>;

/** What every practice error says: there is one way to name a practice. */
export const CHOOSE_PRACTICE = 'Choose your practice from the list.';

const EMPTY: FormState = { firstName: '', lastName: '', dateOfBirth: '', phone: '', email: '', password: '' };

const FIELD_LABELS: Record<string, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  dateOfBirth: 'Date of birth',
  phone: 'Mobile phone',
  email: 'Email',
  password: 'Password',
};

/**
 * Patient self sign-up: `/sign-up?clinic=<slug>` names the practice (shown by
 * name; an old link's clinic id works too); without it the patient finds
 * their practice by name. The account works once
 * the emailed link (`/verify-email?token=…`) is opened, so a sent form ends
 * on "check your email". The server answers the same whether or not the
 * email already has an account (that owner gets an email saying so), so this
 * page never says which.
 */
export default function SignUpPage() {
  const [params] = useSearchParams();
  const status = useSessionStore((s) => s.status);
  const user = useSessionStore((s) => s.user);
  const clinicFromUrl = (params.get('clinic') ?? '').trim();
  const legacyId = isClinicId(clinicFromUrl) ? clinicFromUrl : '';
  // The link's practice: undefined while it is looked up, null when the link names none.
  const [linked, setLinked] = useState<ClinicListing | null | undefined>(clinicFromUrl && !legacyId ? undefined : null);
  const [picking, setPicking] = useState(false);
  const [chosen, setChosen] = useState<ClinicListing | null>(null);
  const [form, setForm] = useState<FormState>(EMPTY);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const sentRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (sentTo) sentRef.current?.focus();
  }, [sentTo]);

  useEffect(() => {
    if (!clinicFromUrl || legacyId) return;
    const ctl = new AbortController();
    clinicBySlug(clinicFromUrl.toLowerCase(), ctl.signal)
      .then(setLinked)
      .catch(() => {
        if (!ctl.signal.aborted) setLinked(null);
      });
    return () => ctl.abort();
  }, [clinicFromUrl, legacyId]);

  if (status === 'signedIn' && user) {
    return <Navigate to={user.role === 'patient' ? '/portal' : '/schedule'} replace />;
  }

  const set = (key: keyof FormState) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    setError(null);
    setFieldErrors({});
    const practice = picking ? chosen : (linked ?? chosen);
    if (!practice && !(legacyId && !picking)) {
      setFieldErrors({ clinicSlug: CHOOSE_PRACTICE });
      setError('Please check the highlighted details.');
      return;
    }
    setSubmitting(true);
    try {
      const email = form.email.trim();
      await register({ ...form, ...(practice ? { clinicSlug: practice.slug } : { clinicId: legacyId }), email });
      setForm(EMPTY);
      setSentTo(email);
    } catch (err) {
      if (isApiError(err)) {
        const byField: Record<string, string> = {};
        for (const f of err.fields) {
          if (f.field === 'clinicSlug' || f.field === 'clinicId') byField.clinicSlug = CHOOSE_PRACTICE;
          else byField[f.field] = `${FIELD_LABELS[f.field] ?? f.field} ${f.message}`;
        }
        setFieldErrors(byField);
        if (err.status === 0) setError(NETWORK_ERROR_MESSAGE);
        else if (err.status === 404 && !err.fields.length)
          setError(`We could not find that practice. ${CHOOSE_PRACTICE}`);
        else if (err.status === 429) setError('Too many sign-ups from this network. Please try again later.');
        else if (err.fields.length) setError('Please check the highlighted details.');
        else setError(`${err.message} (Reference: ${err.requestId})`);
      } else {
        setError(NETWORK_ERROR_MESSAGE);
      }
    } finally {
      setSubmitting(false);
    }
  }

  if (sentTo) {
    return (
      <main id="main" className="page page--narrow">
        <h1>Create your patient account</h1>
        <section className="form-card" aria-labelledby="signup-sent">
          <h2 id="signup-sent" ref={sentRef} tabIndex={-1} className="section-title">
            Check your email
          </h2>
          <p>
            We sent a message to <strong className="break-anywhere">{sentTo}</strong>. Open the link in it to confirm
            your email and sign in. The link works once, for 24 hours.
          </p>
          <p>If you already have an account with this email, the message says so and helps you sign in instead.</p>
          <p>
            Nothing arrived after a few minutes? Check your spam folder, or{' '}
            <button type="button" className="button-link" onClick={() => setSentTo(null)}>
              sign up again
            </button>
            .
          </p>
        </section>
        <p>
          Already confirmed? <Link to="/sign-in">Sign in</Link>
        </p>
      </main>
    );
  }

  return (
    <main id="main" className="page page--narrow">
      <h1>Create your patient account</h1>
      <p className="lead">Book and manage your visits online. It takes about a minute.</p>
      <form className="form-card" aria-label="Patient sign-up" onSubmit={handleSubmit}>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {clinicFromUrl && !picking && linked === undefined && <p className="practice-linked">Finding your practice…</p>}
        {!picking && (linked || legacyId) ? (
          <p className="practice-linked">
            {linked ? (
              <>
                Signing up with <strong>{linked.name}</strong>.{' '}
              </>
            ) : (
              'Signing up with the practice of your sign-up link. '
            )}
            <button type="button" className="button-link" onClick={() => setPicking(true)}>
              Not your practice?
            </button>
            {fieldErrors.clinicSlug && <span className="field__error"> {fieldErrors.clinicSlug}</span>}
          </p>
        ) : (
          (picking || linked === null) && (
            <>
              {clinicFromUrl && !picking && (
                <p className="practice-linked">That sign-up link names no practice we know. Find yours by name.</p>
              )}
              <PracticePicker value={chosen} onChange={setChosen} error={fieldErrors.clinicSlug} />
            </>
          )
        )}
        <div className="field-row">
          <Field
            label="First name"
            name="firstName"
            autoComplete="given-name"
            required
            value={form.firstName}
            onChange={set('firstName')}
            error={fieldErrors.firstName}
          />
          <Field
            label="Last name"
            name="lastName"
            autoComplete="family-name"
            required
            value={form.lastName}
            onChange={set('lastName')}
            error={fieldErrors.lastName}
          />
        </div>
        <Field
          label="Date of birth"
          name="dateOfBirth"
          type="date"
          autoComplete="bday"
          required
          value={form.dateOfBirth}
          onChange={set('dateOfBirth')}
          error={fieldErrors.dateOfBirth}
        />
        <Field
          label="Mobile phone"
          name="phone"
          type="tel"
          autoComplete="tel"
          required
          value={form.phone}
          onChange={set('phone')}
          hint="For appointment reminders."
          error={fieldErrors.phone}
        />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          inputMode="email"
          required
          value={form.email}
          onChange={set('email')}
          error={fieldErrors.email}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          value={form.password}
          onChange={set('password')}
          hint="At least 12 characters. A short sentence is easy to remember."
          error={fieldErrors.password}
        />
        <button type="submit" className="button-primary" disabled={submitting} aria-busy={submitting}>
          {submitting ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </main>
  );
}
