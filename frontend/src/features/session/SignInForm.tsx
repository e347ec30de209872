import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { isApiError, NETWORK_ERROR_MESSAGE } from '../../lib/api';
import type { MeResponse } from '../../lib/types';
import { loadSession, login } from '../../api/session';

function messageFor(error: unknown): string {
  if (!isApiError(error)) return NETWORK_ERROR_MESSAGE;
  if (error.status === 0) return NETWORK_ERROR_MESSAGE;
  if (error.status === 404 || error.status === 405) return 'Sign-in is not available yet. Please try again later.';
  if (error.status === 429) return 'Too many attempts. Please wait a few minutes and try again.';
  if (error.status === 401 && error.hasField('totp')) {
    return error.fieldMessage('totp') === 'is required'
      ? 'Enter the 6-digit code from your authenticator app.'
      : 'That code did not work. Check your authenticator app and try again.';
  }
  // The right password of a sign-up whose email link has not been opened yet.
  if (error.status === 401 && error.hasField('email')) {
    return 'Confirm your email first: open the link we sent you when you signed up.';
  }
  if (error.status === 401) return 'The email or password is incorrect.';
  return error.message;
}

export interface SignInFormProps {
  /** Called once the session is loaded. */
  onSignedIn?: (me: MeResponse) => void;
}

export function SignInForm({ onSignedIn }: SignInFormProps) {
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needsTotp, setNeedsTotp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [requestId, setRequestId] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const totpRef = useRef<HTMLInputElement>(null);
  const [focusTotp, setFocusTotp] = useState(0);

  // Once the code field has rendered, it gets focus.
  useEffect(() => {
    if (focusTotp > 0) totpRef.current?.focus();
  }, [focusTotp]);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    setError(null);
    setRequestId(null);
    setSubmitting(true);
    try {
      await login({ email, password, ...(needsTotp && totp ? { totp: totp.trim() } : {}) });
      const me = await loadSession();
      setPassword('');
      setTotp('');
      if (!me) {
        setError('Signed in, but the session could not be loaded. Please try again.');
        return;
      }
      onSignedIn?.(me);
    } catch (err) {
      if (isApiError(err) && err.status === 401 && err.hasField('totp')) {
        setNeedsTotp(true);
        setTotp('');
        setFocusTotp((n) => n + 1);
      }
      setError(messageFor(err));
      if (isApiError(err) && err.status !== 0) setRequestId(err.requestId);
    } finally {
      setSubmitting(false);
    }
  }

  const emailId = `${id}-email`;
  const passwordId = `${id}-password`;
  const totpId = `${id}-totp`;
  const errorId = `${id}-error`;
  const credentialsInvalid = !!error && !needsTotp;

  return (
    <form
      className="sign-in"
      aria-labelledby={`${id}-title`}
      aria-describedby={error ? errorId : undefined}
      onSubmit={handleSubmit}
    >
      <h2 id={`${id}-title`}>Sign in</h2>

      {error && (
        <p id={errorId} className="form-error" role="alert">
          {error}
          {requestId && <span className="form-error__ref"> Reference: {requestId}</span>}
        </p>
      )}

      <div className="field">
        <label htmlFor={emailId}>Email</label>
        <input
          id={emailId}
          name="email"
          type="email"
          autoComplete="username"
          inputMode="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={credentialsInvalid ? true : undefined}
        />
      </div>

      <div className="field">
        <label htmlFor={passwordId}>Password</label>
        <input
          id={passwordId}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={credentialsInvalid ? true : undefined}
        />
      </div>

      {needsTotp && (
        <div className="field">
          <label htmlFor={totpId}>Authentication code</label>
          <input
            ref={totpRef}
            id={totpId}
            name="totp"
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9A-Za-z\- ]{6,24}"
            required
            value={totp}
            onChange={(e) => setTotp(e.target.value)}
            aria-describedby={`${totpId}-hint`}
            aria-invalid={error ? true : undefined}
          />
          <p id={`${totpId}-hint`} className="field__hint">
            The 6-digit code from your authenticator app, or one of your recovery codes.
          </p>
        </div>
      )}

      <button type="submit" className="button-primary" disabled={submitting} aria-busy={submitting}>
        {submitting ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
