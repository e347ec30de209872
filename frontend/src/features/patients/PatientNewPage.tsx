import { Link, useNavigate } from 'react-router-dom';
import { toastSuccess } from '../../lib/toast';
import { patientDisplayName } from '../../lib/types';
import { PatientForm } from '../../components/PatientForm';
import { useCreatePatient } from '../../api/patients';

/** `/patients/new`: a new patient record; the server's field errors show next to the inputs. */
export default function PatientNewPage() {
  const navigate = useNavigate();
  const create = useCreatePatient();
  return (
    <main id="main" className="page page--narrow">
      <p className="breadcrumb">
        <Link to="/patients">Patients</Link>
      </p>
      <h1>Add patient</h1>
      <p className="lead">First name, last name, date of birth, and a phone or an email are required.</p>
      <PatientForm
        label="New patient"
        submitLabel="Add patient"
        busyLabel="Adding…"
        sections={['identity', 'contact', 'address', 'emergency', 'preferences']}
        submit={async (body) => {
          const created = await create.mutateAsync(body);
          toastSuccess(`Added ${patientDisplayName(created)}.`);
          navigate(`/patients/${encodeURIComponent(created.id)}`, { replace: true });
        }}
        onCancel={() => navigate('/patients')}
      />
    </main>
  );
}
