import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { Field } from '../../components/Field';
import { api, isApiError, NETWORK_ERROR_MESSAGE } from '../../lib/api';

const PASSWORD_HINT = 'At least 12 characters, and not a common password. A short sentence is easy to remember.';

/** What the page says: to someone resetting, or to a colleague an admin invited (`&invite=1`). */
const WORDS = {
  reset: {
    title: 'Choose a new password',
    done: 'Your password has been changed',
    doneText: 'For your safety, every device signed in to your account has been signed out.',
    dead: 'Reset links work once and expire after a while.',
    deadLink: 'Ask for a new link',
  },
  invite: {
    title: 'Choose your password',
    done: 'Your password is set',
    doneText: 'Sign in with your email address and the password you just chose.',
    dead: 'Invitation links work once and expire after three days: ask the practice’s administrator to invite you again, or',
    deadLink: 'choose a password through “Forgot password”',
  },
};

/** Public `/reset-password?token=…`: the emailed link (a reset, or an invitation) lands here. */
export default function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const words = params.get('invite') === '1' ? WORDS.invite : WORDS.reset;
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [badToken, setBadToken] = useState(!token);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const doneRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setError(null);
    setErrors({});
    if (password !== confirm) {
      setErrors({ confirm: 'The two passwords do not match.' });
      return;
    }
    setBusy(true);
    try {
      await api.post('/api/auth/password/reset', { token, password });
      setPassword('');
      setConfirm('');
      setDone(true);
    } catch (err) {
      if (isApiError(err) && err.hasField('token')) {
        setBadToken(true);
      } else if (isApiError(err) && err.fields.length) {
        setErrors({ password: `Password ${err.fieldMessage('password') ?? err.fields[0]!.message}` });
      } else if (isApiError(err) && err.status === 429) {
        setError('Too many attempts. Please wait a few minutes and try again.');
      } else {
        setError(isApiError(err) && err.status !== 0 ? `${err.message} (Reference: ${err.requestId})` : NETWORK_ERROR_MESSAGE);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="page page--narrow">
      <h1>{words.title}</h1>
      {done ? (
        <section className="form-card" aria-labelledby="reset-done">
          <h2 id="reset-done" ref={doneRef} tabIndex={-1} className="section-title">
            {words.done}
          </h2>
          <p>{words.doneText}</p>
          <p>
            <Link to="/sign-in" className="button-primary">
              Sign in
            </Link>
          </p>
        </section>
      ) : badToken ? (
        <div className="notice notice--error" role="alert">
          <p className="notice__title">This link does not work any more</p>
          <p>
            {words.dead} <Link to="/forgot-password">{words.deadLink}</Link>.
          </p>
        </div>
      ) : (
        <form className="form-card" aria-label={words.title} onSubmit={(e) => void submit(e)}>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <Field
            label="New password"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            hint={PASSWORD_HINT}
            error={errors.password}
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
            <button type="submit" className="button-primary" disabled={busy} aria-busy={busy}>
              {busy ? 'Saving…' : 'Set new password'}
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
