import { Link } from 'react-router-dom';
import { homeFor } from '../lib/routes';
import { useSessionStore } from '../lib/session';

/** Where the way back from a wrong address leads: the signed-in user's home, else sign-in. */
export function notFoundHome(role: string | null | undefined): { to: string; label: string } {
  if (role === 'patient') return { to: homeFor(role), label: 'Back to my appointments' };
  if (role) return { to: homeFor(role), label: 'Back to the schedule' };
  return { to: '/sign-in', label: 'Go to sign-in' };
}

export function NotFoundPage() {
  const role = useSessionStore((s) => (s.status === 'signedIn' ? s.user?.role : null));
  const home = notFoundHome(role);
  return (
    <main id="main" className="page page--narrow">
      <h1>Page not found</h1>
      <p>There is nothing at this address. It may have moved.</p>
      <p>
        <Link to={home.to} className="button-primary">
          {home.label}
        </Link>
      </p>
    </main>
  );
}
