import { useId, useState, type FormEvent } from 'react';
import { readApiError } from '../../lib/api';
import { useSessionStore } from './sessionStore';

export const LOGIN_URL = '/api/auth/login';

function fallbackMessage(status: number): string {
  if (status === 404) return 'Sign-in is not available yet. Please try again later.';
  if (status === 401) return 'The email or password is incorrect.';
  if (status === 429) return 'Too many attempts. Please wait a moment and try again.';
  return `Sign-in failed (error ${status}). Please try again.`;
}

export function SignInForm() {
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const signedInEmail = useSessionStore((s) => s.email);
  const signedIn = useSessionStore((s) => s.signedIn);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    setError(null);
    setSubmitting(true);
    try {
      const response = await fetch(LOGIN_URL, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      if (!response.ok) {
        const apiError = await readApiError(response);
        setError(apiError?.message ?? fallbackMessage(response.status));
        return;
      }
      setPassword('');
      signedIn(email);
    } catch {
      setError('Could not reach TopSmile. Check your connection and try again.');
    } finally {
      setSubmitting(false);
    }
  }

  if (signedInEmail !== null) {
    return (
      <p className="signed-in" role="status">
        Signed in as <strong>{signedInEmail}</strong>.
      </p>
    );
  }

  const emailId = `${id}-email`;
  const passwordId = `${id}-password`;
  const errorId = `${id}-error`;

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
          aria-invalid={error ? true : undefined}
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
          aria-invalid={error ? true : undefined}
        />
      </div>

      <button type="submit" className="button-primary" disabled={submitting} aria-busy={submitting}>
        {submitting ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
