import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api, isApiError } from '../../lib/api';
import { safeReturnTo } from '../../lib/routes';
import { loadSession } from '../../api/session';
import { useSessionStore } from '../../lib/session';

interface SetupResponse {
  secret: string;
  otpauthUrl: string;
}

/** Groups a base32 secret in fours so it can be typed without losing one's place. */
function groupSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/**
 * Turns on two-step sign-in (TOTP): confirm the password, add the key to an
 * authenticator app, prove it with a code, keep the recovery codes. A clinic
 * that requires it sends its users here before anything else.
 */
export default function TwoStepPage() {
  const id = useId();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const user = useSessionStore((s) => s.user);
  const required = useSessionStore((s) => s.mfaEnrollmentRequired);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [setup, setSetup] = useState<SetupResponse | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const stepHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (setup || recoveryCodes) stepHeading.current?.focus();
  }, [setup, recoveryCodes]);

  const explain = (err: unknown) =>
    isApiError(err) ? `${err.message}${err.requestId ? ` (Reference: ${err.requestId})` : ''}` : 'Please try again.';

  async function start(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setSetup(await api.post<SetupResponse>('/api/auth/mfa/setup', { currentPassword: password }));
      setPassword('');
    } catch (err) {
      setError(isApiError(err) && err.status === 401 ? 'That password is not right.' : explain(err));
    } finally {
      setBusy(false);
    }
  }

  async function verify(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<{ recoveryCodes: string[] }>('/api/auth/mfa/verify', { code: code.replace(/\s/g, '') });
      setRecoveryCodes(res.recoveryCodes);
    } catch (err) {
      setError(isApiError(err) && (err.status === 400 || err.status === 401) ? 'That code did not work. Try the newest one.' : explain(err));
    } finally {
      setBusy(false);
    }
  }

  async function finish() {
    const me = await loadSession().catch(() => null);
    navigate(me ? safeReturnTo(params.get('returnTo'), me.user.role) : '/sign-in', { replace: true });
  }

  if (user?.mfaEnabled && !recoveryCodes) {
    return (
      <main id="main" className="page page--narrow">
        <h1>Two-step sign-in</h1>
        <p>Two-step sign-in is on for your account. Each sign-in asks for a code from your authenticator app.</p>
      </main>
    );
  }

  return (
    <main id="main" className="page page--narrow">
      <h1>Turn on two-step sign-in</h1>
      {required && (
        <p className="notice notice--info">Your practice requires two-step sign-in before you can continue.</p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}

      {recoveryCodes ? (
        <section className="form-card" aria-labelledby={`${id}-done`}>
          <h2 id={`${id}-done`} ref={stepHeading} tabIndex={-1} className="section-title">
            Save your recovery codes
          </h2>
          <p>
            If you lose your phone, each of these codes signs you in once. Keep them somewhere safe, such as a password
            manager.
          </p>
          <ul className="recovery-codes">
            {recoveryCodes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          <button type="button" className="button-primary" onClick={() => void finish()}>
            I have saved my codes
          </button>
        </section>
      ) : setup ? (
        <form className="form-card" aria-labelledby={`${id}-scan`} onSubmit={(e) => void verify(e)}>
          <h2 id={`${id}-scan`} ref={stepHeading} tabIndex={-1} className="section-title">
            Add TopSmile to your authenticator app
          </h2>
          <p>
            In your authenticator app, add an account and type this key, or{' '}
            <a href={setup.otpauthUrl}>open it in the app</a> on this device.
          </p>
          <p>
            <code className="secret break-anywhere">{groupSecret(setup.secret)}</code>
          </p>
          <div className="field">
            <label htmlFor={`${id}-code`}>6-digit code from the app</label>
            <input
              id={`${id}-code`}
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              pattern="[0-9 ]{6,8}"
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </div>
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Checking…' : 'Turn on two-step sign-in'}
          </button>
        </form>
      ) : (
        <form className="form-card" aria-label="Confirm your password" onSubmit={(e) => void start(e)}>
          <p>Two-step sign-in protects patient records even if your password leaks. First, confirm your password.</p>
          <div className="field">
            <label htmlFor={`${id}-password`}>Current password</label>
            <input
              id={`${id}-password`}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Checking…' : 'Continue'}
          </button>
        </form>
      )}
    </main>
  );
}
