import { NavLink } from 'react-router-dom';
import type { Role } from '../lib/types';

interface Tab {
  to: string;
  label: string;
  roles: readonly Role[];
}

const CHAIR: readonly Role[] = ['admin', 'dentist', 'hygienist', 'assistant'];

/** What each role may open of a patient's record (the server enforces the same). */
export const PATIENT_TABS: readonly Tab[] = [
  { to: '', label: 'Profile', roles: ['admin', 'dentist', 'hygienist', 'assistant', 'receptionist'] },
  { to: 'chart', label: 'Chart', roles: CHAIR },
  { to: 'perio', label: 'Perio', roles: CHAIR },
  { to: 'plans', label: 'Treatment plans', roles: ['admin', 'dentist', 'hygienist', 'assistant', 'receptionist'] },
  { to: 'notes', label: 'Notes', roles: CHAIR },
  { to: 'prescriptions', label: 'Prescriptions', roles: ['admin', 'dentist'] },
  { to: 'documents', label: 'Documents', roles: ['admin', 'dentist', 'hygienist', 'assistant', 'receptionist'] },
  { to: 'consents', label: 'Consents', roles: ['admin', 'dentist', 'hygienist', 'assistant', 'receptionist'] },
  { to: 'billing', label: 'Billing', roles: ['admin', 'receptionist'] },
];

/** The patient's record sections, as links (the current one marked). */
export function PatientTabs({ patientId, role }: { patientId: string; role: Role | undefined }) {
  const base = `/patients/${encodeURIComponent(patientId)}`;
  const tabs = PATIENT_TABS.filter((t) => role && t.roles.includes(role));
  return (
    <nav aria-label="Patient record" className="patient-tabs">
      <ul>
        {tabs.map((t) => (
          <li key={t.label}>
            <NavLink to={t.to ? `${base}/${t.to}` : base} end>
              {t.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
