import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router-dom';
import { isApiError, NETWORK_ERROR_MESSAGE } from '../../lib/api';
import { homeFor } from '../../lib/routes';
import { loadSession, verifyEmail } from '../../api/session';

type State = { kind: 'verifying' } | { kind: 'done'; role: string } | { kind: 'badLink' } | { kind: 'failed'; message: string };

/**
 * Public `/verify-email?token=…`: the link a patient's sign-up email carries.
 * It confirms the email, signs the patient in and lands them in the portal.
 * The token works once, so it is sent once per visit (React's strict mode
 * runs effects twice in development).
 */
export default function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [state, setState] = useState<State>(token ? { kind: 'verifying' } : { kind: 'badLink' });
  const sent = useRef(false);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const run = useCallback(async () => {
    setState({ kind: 'verifying' });
    try {
      const session = await verifyEmail(token);
      await loadSession();
      setState({ kind: 'done', role: session.user.role });
    } catch (err) {
      if (isApiError(err) && err.hasField('token')) setState({ kind: 'badLink' });
      else if (isApiError(err) && err.status === 429)
        setState({ kind: 'failed', message: 'Too many attempts. Please wait a few minutes and try again.' });
      else if (isApiError(err) && err.status !== 0)
        setState({ kind: 'failed', message: `${err.message} (Reference: ${err.requestId})` });
      else setState({ kind: 'failed', message: NETWORK_ERROR_MESSAGE });
    }
  }, [token]);

  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    void run();
  }, [token, run]);

  useEffect(() => {
    if (state.kind !== 'verifying') headingRef.current?.focus();
  }, [state.kind]);

  if (state.kind === 'done') return <Navigate to={homeFor(state.role)} replace />;

  return (
    <main id="main" className="page page--narrow">
      <h1 ref={headingRef} tabIndex={-1}>
        Confirm your email
      </h1>
      {state.kind === 'verifying' && (
        <p role="status" aria-live="polite">
          Confirming your email and signing you in…
        </p>
      )}
      {state.kind === 'badLink' && (
        <div className="notice notice--error" role="alert">
          <p className="notice__title">This link does not work any more</p>
          <p>
            Confirmation links work once, for 24 hours. If you already confirmed your email,{' '}
            <Link to="/sign-in">sign in</Link>. Otherwise <Link to="/forgot-password">reset your password</Link>: the
            reset link confirms your email too.
          </p>
        </div>
      )}
      {state.kind === 'failed' && (
        <div className="notice notice--error" role="alert">
          <p className="notice__title">We could not confirm your email</p>
          <p>{state.message}</p>
          <p>
            <button type="button" className="button-primary" onClick={() => void run()}>
              Try again
            </button>
          </p>
        </div>
      )}
    </main>
  );
}
