import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { Field } from '../../components/Field';
import { isApiError, NETWORK_ERROR_MESSAGE } from '../../lib/api';
import { loadSession, register, type RegisterInput } from './sessionApi';
import { useSessionStore } from './sessionStore';

type FormState = Omit<RegisterInput, 'clinicId'>;

const EMPTY: FormState = { firstName: '', lastName: '', dateOfBirth: '', phone: '', email: '', password: '' };

const FIELD_LABELS: Record<string, string> = {
  clinicId: 'Practice code',
  firstName: 'First name',
  lastName: 'Last name',
  dateOfBirth: 'Date of birth',
  phone: 'Mobile phone',
  email: 'Email',
  password: 'Password',
};

/** Patient self sign-up: `/sign-up?clinic=<clinicId>`. Signs the new patient in. */
export default function SignUpPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const status = useSessionStore((s) => s.status);
  const user = useSessionStore((s) => s.user);
  const clinicFromUrl = params.get('clinic') ?? '';
  const [clinicId, setClinicId] = useState(clinicFromUrl);
  const [form, setForm] = useState<FormState>(EMPTY);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

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
    setSubmitting(true);
    try {
      await register({ ...form, clinicId: clinicId.trim(), email: form.email.trim() });
      await loadSession();
      navigate('/portal', { replace: true });
    } catch (err) {
      if (isApiError(err)) {
        const byField: Record<string, string> = {};
        for (const f of err.fields) {
          byField[f.field] = `${FIELD_LABELS[f.field] ?? f.field} ${f.message}`;
        }
        setFieldErrors(byField);
        if (err.status === 0) setError(NETWORK_ERROR_MESSAGE);
        else if (err.status === 409) setError('An account with this email already exists. Try signing in instead.');
        else if (err.status === 404 && !err.fields.length)
          setError('We could not find that practice. Check the sign-up link your practice sent you.');
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
        {!clinicFromUrl && (
          <Field
            label="Practice code"
            name="clinicId"
            required
            value={clinicId}
            onChange={(e) => setClinicId(e.target.value)}
            hint="From the sign-up link or email your dental practice sent you."
            error={fieldErrors.clinicId}
            autoComplete="off"
          />
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
