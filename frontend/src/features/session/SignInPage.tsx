import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { HealthStatus } from '../../components/HealthStatus';
import { safeReturnTo } from '../../lib/routes';
import { SignInForm } from './SignInForm';
import { useSessionStore } from '../../lib/session';

const REASONS: Record<string, string> = {
  idle: 'You were signed out because nobody used TopSmile for a while. Please sign in again.',
  expired: 'Your session has ended. Please sign in again.',
};

/** The public landing page: who we are and the sign-in form. */
export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const status = useSessionStore((s) => s.status);
  const user = useSessionStore((s) => s.user);
  const returnTo = params.get('returnTo');
  const reason = params.get('reason');

  if (status === 'signedIn' && user) {
    return <Navigate to={safeReturnTo(returnTo, user.role)} replace />;
  }

  return (
    <>
      <main id="main" className="landing">
        <header className="landing__intro">
          <h1>TopSmile</h1>
          <p className="tagline">
            Gentle, modern dental care for the whole family — appointments, records and reminders in one place.
          </p>
        </header>
        <section className="landing__panel" aria-label="Staff and patient sign-in">
          {reason && REASONS[reason] && (
            <p className="notice notice--info" role="status">
              {REASONS[reason]}
            </p>
          )}
          <SignInForm onSignedIn={(me) => navigate(safeReturnTo(returnTo, me.user.role), { replace: true })} />
          <p className="landing__alt">
            <Link to="/forgot-password">Forgot your password?</Link>
          </p>
          <p className="landing__alt">
            New patient? Ask your practice for its sign-up link, or{' '}
            <Link to="/sign-up">create a patient account</Link>.
          </p>
        </section>
      </main>
      <footer className="site-footer">
        <HealthStatus />
      </footer>
    </>
  );
}
