import { useRef, useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { Field } from '../../components/Field';
import { api, isApiError, NETWORK_ERROR_MESSAGE } from '../../lib/api';

/** Public `/forgot-password`: asks for a reset link. The answer never says whether the email exists. */
export default function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const doneRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (sentTo) doneRef.current?.focus();
  }, [sentTo]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/auth/password/forgot', { email: email.trim() });
      setSentTo(email.trim());
    } catch (err) {
      if (isApiError(err) && err.status === 429) setError('Too many requests. Please wait a few minutes and try again.');
      else if (isApiError(err) && err.fieldMessage('email')) setError(`Email ${err.fieldMessage('email')}.`);
      else setError(isApiError(err) && err.status !== 0 ? `${err.message} (Reference: ${err.requestId})` : NETWORK_ERROR_MESSAGE);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="page page--narrow">
      <h1>Reset your password</h1>
      {sentTo ? (
        <section className="form-card" aria-labelledby="forgot-done">
          <h2 id="forgot-done" ref={doneRef} tabIndex={-1} className="section-title">
            Check your email
          </h2>
          <p>
            If an account uses <strong className="break-anywhere">{sentTo}</strong>, we have sent it a link to choose a
            new password. The link works once and expires soon.
          </p>
          <p>
            No email after a few minutes? Check your spam folder, or{' '}
            <button type="button" className="button-link" onClick={() => setSentTo(null)}>
              try another address
            </button>
            .
          </p>
        </section>
      ) : (
        <form className="form-card" aria-label="Request a password reset link" onSubmit={(e) => void submit(e)}>
          <p>Enter the email you sign in with and we will send you a link to choose a new password.</p>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <Field
            label="Email"
            type="email"
            inputMode="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <div>
            <button type="submit" className="button-primary" disabled={busy} aria-busy={busy}>
              {busy ? 'Sending…' : 'Send reset link'}
            </button>
          </div>
        </form>
      )}
      <p>
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </main>
  );
}
