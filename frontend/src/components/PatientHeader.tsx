import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { isSevereAllergy, patientDisplayName, type PatientRecord, type Role } from '../lib/types';
import { PatientTabs } from './PatientTabs';

/**
 * The top of every clinical screen of a patient: who it is (name, date of
 * birth), their allergies (severe ones as an alert: safety before anything),
 * and the record's sections. `section` is the screen's own title.
 */
export function PatientHeader({
  patient,
  role,
  section,
  actions,
}: {
  patient: PatientRecord;
  role: Role | undefined;
  section: string;
  actions?: ReactNode;
}) {
  const allergies = patient.allergies ?? [];
  const severe = allergies.filter(isSevereAllergy);
  const others = allergies.filter((a) => !isSevereAllergy(a));
  return (
    <>
      <p className="breadcrumb">
        <Link to="/patients">Patients</Link> ›{' '}
        <Link to={`/patients/${encodeURIComponent(patient.id)}`}>{patientDisplayName(patient)}</Link>
      </p>
      <div className="page__header page__header--row">
        <div>
          <h1>
            {section} <span className="muted">— {patientDisplayName(patient)}</span>
          </h1>
          <p className="muted">Born {patient.dateOfBirth}</p>
        </div>
        {actions && <div className="button-row">{actions}</div>}
      </div>
      {severe.length > 0 && (
        <p role="alert" className="allergy-banner allergy-banner--severe">
          <strong>Allergy alert:</strong> {severe.map((a) => `${a.substance} (${a.severity})`).join(', ')}
        </p>
      )}
      {others.length > 0 && (
        <p className="allergy-banner allergy-banner--warn">
          <strong>{severe.length > 0 ? 'Other allergies:' : 'Allergies:'}</strong>{' '}
          {others.map((a) => `${a.substance} (${a.severity})`).join(', ')}
        </p>
      )}
      {allergies.length === 0 && <p className="allergy-banner allergy-banner--none">No known allergies on file.</p>}
      <PatientTabs patientId={patient.id} role={role} />
    </>
  );
}
