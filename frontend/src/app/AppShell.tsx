import { Suspense, useId, useRef, useState, type ReactNode } from 'react';
import { NavLink, Outlet } from 'react-router-dom';
import { IdleLogoff } from '../features/session/IdleLogoff';
import { keepAlive, signOut } from '../api/session';
import { useSessionStore } from '../lib/session';
import { PageSkeleton } from '../components/Skeleton';

export interface NavItem {
  to: string;
  label: string;
  end?: boolean;
  /** Only these roles see the item (the route checks the same); everyone when unset. */
  roles?: readonly string[];
  /** Shown after the label, e.g. an unread count (it should carry its own words for screen readers). */
  badge?: ReactNode;
}

/** The signed-in frame: skip link, header with navigation and sign-out, idle logoff. */
export function AppShell({ nav, footer, children }: { nav: NavItem[]; footer?: ReactNode; children?: ReactNode }) {
  const user = useSessionStore((s) => s.user);
  const clinic = useSessionStore((s) => s.clinic);
  const [signingOut, setSigningOut] = useState(false);
  // On a phone (≤ 480 px) the header is one row, practice name and Menu; the menu holds navigation and sign-out.
  const [menuOpen, setMenuOpen] = useState(false);
  const menuId = useId();
  const menuButtonRef = useRef<HTMLButtonElement>(null);

  async function handleSignOut() {
    setSigningOut(true);
    await signOut('signedOut');
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header
        className={`shell__header${menuOpen ? ' shell__header--open' : ''}`}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && menuOpen) {
            setMenuOpen(false);
            menuButtonRef.current?.focus();
          }
        }}
      >
        <div className={`shell__brand${clinic ? ' shell__brand--clinic' : ''}`}>
          <span className="shell__logo">TopSmile</span>
          {clinic && <span className="shell__clinic">{clinic.name}</span>}
        </div>
        <button
          ref={menuButtonRef}
          type="button"
          className="button-secondary shell__menu-button"
          aria-expanded={menuOpen}
          aria-controls={menuId}
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <div id={menuId} className="shell__menu">
          <nav aria-label="Main" className="shell__nav">
            <ul>
              {nav.filter((item) => !item.roles || (user && item.roles.includes(user.role))).map((item) => (
                <li key={item.to}>
                  <NavLink to={item.to} end={item.end ?? false} onClick={() => setMenuOpen(false)}>
                    {item.label}
                    {item.badge}
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
