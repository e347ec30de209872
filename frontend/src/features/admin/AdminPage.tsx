import { Link } from 'react-router-dom';
import './admin.css';

interface Tool {
  to: string;
  title: string;
  what: string;
}

/** The practice's administration, grouped as an admin thinks of it. */
export const ADMIN_TOOLS: { id: string; heading: string; tools: Tool[] }[] = [
  {
    id: 'people',
    heading: 'People and access',
    tools: [
      { to: '/admin/users', title: 'Users and roles', what: 'Invite staff, change roles, deactivate accounts, reset two-step sign-in, end sessions.' },
      { to: '/admin/audit', title: 'Audit log', what: 'Who opened or changed which record and when; verify the trail has not been altered; export CSV.' },
    ],
  },
  {
    id: 'practice',
    heading: 'The practice',
    tools: [
      { to: '/admin/clinic', title: 'Clinic settings', what: 'Name, address, time zone, slot size, opening hours, booking limits, security and reminders.' },
      { to: '/admin/catalog', title: 'Providers, chairs and appointment types', what: 'Who works when, in which chairs, and what can be booked for how long.' },
      { to: '/consent-templates', title: 'Consent forms', what: 'The forms patients sign before treatment.' },
    ],
  },
  {
    id: 'integrations',
    heading: 'Messages and integrations',
    tools: [
      { to: '/messages', title: 'Messages sent', what: 'Every e-mail and text the practice sent, with its delivery status; retry failed ones.' },
      { to: '/settings/messaging', title: 'Messaging settings', what: 'The texting number, quiet hours and reminder rules.' },
      { to: '/admin/webhooks', title: 'Webhooks', what: 'Tell other systems when appointments, patients or payments change.' },
    ],
  },
];

/** `/admin` (admins): every administration screen, one click away. */
export default function AdminPage() {
  return (
    <main id="main" className="page admin-hub">
      <div className="page__header">
        <h1>Administration</h1>
        <p className="lead">Run the practice: its people, its rules and what it tells patients and other systems.</p>
      </div>
      {ADMIN_TOOLS.map((group) => (
        <section key={group.id} aria-labelledby={`admin-${group.id}`} className="admin-hub__group">
          <h2 id={`admin-${group.id}`}>{group.heading}</h2>
          <ul className="admin-hub__tools">
            {group.tools.map((t) => (
              <li key={t.to} className="card">
                <Link to={t.to} className="admin-hub__link">
                  {t.title}
                </Link>
                <p>{t.what}</p>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </main>
  );
}
