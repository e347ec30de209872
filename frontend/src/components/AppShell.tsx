import { Suspense, useState, type ReactNode } from 'react';
import { NavLink, Outlet } from 'react-router-dom';
import { IdleLogoff } from '../features/session/IdleLogoff';
import { keepAlive, signOut } from '../features/session/sessionApi';
import { useSessionStore } from '../features/session/sessionStore';
import { PageSkeleton } from './Skeleton';

export interface NavItem {
  to: string;
  label: string;
  end?: boolean;
}

/** The signed-in frame: skip link, header with navigation and sign-out, idle logoff. */
export function AppShell({ nav, footer, children }: { nav: NavItem[]; footer?: ReactNode; children?: ReactNode }) {
  const user = useSessionStore((s) => s.user);
  const clinic = useSessionStore((s) => s.clinic);
  const [signingOut, setSigningOut] = useState(false);

  async function handleSignOut() {
    setSigningOut(true);
    await signOut('signedOut');
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="shell__header">
        <div className="shell__brand">
          <span className="shell__logo">TopSmile</span>
          {clinic && <span className="shell__clinic">{clinic.name}</span>}
        </div>
        <nav aria-label="Main" className="shell__nav">
          <ul>
            {nav.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end ?? false}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="shell__user">
          {user && (
            <span className="shell__name">
              {user.firstName} {user.lastName}
              <span className="shell__role"> · {user.role.replace('_', ' ')}</span>
            </span>
          )}
          <button type="button" className="button-secondary" onClick={() => void handleSignOut()} disabled={signingOut}>
            {signingOut ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
      </header>
      <Suspense fallback={<PageSkeleton />}>{children ?? <Outlet />}</Suspense>
      {footer && <footer className="shell__footer">{footer}</footer>}
      {clinic && (
        <IdleLogoff
          minutes={clinic.settings.idleLogoffMinutes || 15}
          onStay={keepAlive}
          onTimeout={() => void signOut('idle')}
        />
      )}
    </div>
  );
}
