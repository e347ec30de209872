import { Link, useNavigate, useParams } from 'react-router-dom';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { toastSuccess } from '../../lib/toast';
import { patientDisplayName } from '../../lib/types';
import { PatientForm } from '../../components/PatientForm';
import { usePatientRecord, useUpdatePatient } from '../../api/patients';

/** `/patients/:id/edit`: demographics, contact and preferences, sent as a PATCH of what changed. */
export default function PatientEditPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const record = usePatientRecord(id);
  const update = useUpdatePatient(id);
  const back = `/patients/${encodeURIComponent(id)}`;

  return (
    <main id="main" className="page page--narrow">
      <p className="breadcrumb">
        <Link to="/patients">Patients</Link> <span aria-hidden="true">›</span>{' '}
        <Link to={back}>{record.data ? patientDisplayName(record.data) : 'Patient'}</Link>
      </p>
      <h1>Edit patient</h1>
      {record.isError ? (
        <ErrorNotice error={record.error} title="Could not load this patient" onRetry={() => void record.refetch()} />
      ) : !record.data ? (
        <Skeleton lines={8} label="Loading the patient…" />
      ) : (
        <PatientForm
          key={record.data.id}
          initial={record.data}
          label={`Edit ${patientDisplayName(record.data)}`}
          submitLabel="Save changes"
          busyLabel="Saving…"
          submit={async (body) => {
            const updated = await update.mutateAsync(body);
            toastSuccess(`Saved ${patientDisplayName(updated ?? record.data)}.`);
            navigate(back);
          }}
          onCancel={() => navigate(back)}
        />
      )}
    </main>
  );
}
