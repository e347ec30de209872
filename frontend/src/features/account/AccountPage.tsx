import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { Field } from '../../components/Field';
import { isApiError, NETWORK_ERROR_MESSAGE } from '../../lib/api';
import { toastSuccess } from '../../lib/toast';
import { isStaffRole } from '../../lib/types';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';
import { useChangePassword } from './queries';
import { PortalSignUpLink } from './PortalSignUpLink';
import { PracticeSettings } from './PracticeSettings';
import { SessionsList } from './SessionsList';

export const PASSWORD_HINT = 'At least 12 characters, and not a common password. A short sentence is easy to remember.';

/** `/account`: password, where you are signed in, two-step sign-in. For every role. */
export default function AccountPage() {
  const id = useId();
  const user = useSessionStore((s) => s.user);
  const clinic = useSessionStore((s) => s.clinic);
  const timeZone = useClinicTimeZone();
  return (
    <main id="main" className="page page--narrow account">
      <h1>Account and security</h1>
      {user && (
        <p className="lead">
          Signed in as <strong>{user.email}</strong>.
        </p>
      )}

      <ChangePassword />

      <SessionsList timeZone={timeZone} />

      <section className="form-card" aria-labelledby={`${id}-mfa`}>
        <h2 id={`${id}-mfa`} className="section-title">
          Two-step sign-in
        </h2>
        {user?.mfaEnabled ? (
          <p>On. Each sign-in asks for a code from your authenticator app.</p>
        ) : (
          <>
            <p>Off. A code from your phone at sign-in keeps records safe even if your password leaks.</p>
            <p>
              <Link to="/account/two-step" className="button-secondary">
                Set up two-step sign-in
              </Link>
            </p>
          </>
        )}
      </section>

      {clinic && user?.role === 'admin' && <PracticeSettings clinic={clinic} />}

      {clinic && isStaffRole(user?.role) && <PortalSignUpLink clinic={clinic} />}
    </main>
  );
}

function ChangePassword() {
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setErrors({});
    if (next !== confirm) {
      setErrors({ confirm: 'The two new passwords do not match.' });
      return;
    }
    try {
      await change.mutateAsync({ currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setConfirm('');
      toastSuccess('Password changed. Your other sessions were signed out.');
    } catch (err) {
      if (isApiError(err) && err.fields.length) {
        const byField: Record<string, string> = {};
        for (const f of err.fields) {
          const key = f.field === 'password' || f.field === 'newPassword' ? 'newPassword' : f.field;
          byField[key] = `${key === 'currentPassword' ? 'Current password' : 'New password'} ${f.message}`;
        }
        setErrors(byField);
      } else if (isApiError(err) && err.status === 401) {
        setErrors({ currentPassword: 'Current password is incorrect' });
      } else {
        setError(isApiError(err) && err.status !== 0 ? `${err.message} (Reference: ${err.requestId})` : NETWORK_ERROR_MESSAGE);
      }
    }
  }

  return (
    <form className="form-card" aria-label="Change password" onSubmit={(e) => void submit(e)}>
      <h2 className="section-title">Change password</h2>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <Field
        label="Current password"
        type="password"
        autoComplete="current-password"
        required
        value={current}
        onChange={(e) => setCurrent(e.target.value)}
        error={errors.currentPassword}
      />
      <Field
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        minLength={12}
        value={next}
        onChange={(e) => setNext(e.target.value)}
        hint={PASSWORD_HINT}
        error={errors.newPassword}
      />
      <Field
        label="Repeat new password"
        type="password"
        autoComplete="new-password"
        required
        value={confirm}
        onChange={(e) => setConfirm(e.target.value)}
        error={errors.confirm}
      />
      <div>
        <button type="submit" className="button-primary" disabled={change.isPending} aria-busy={change.isPending}>
          {change.isPending ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}
