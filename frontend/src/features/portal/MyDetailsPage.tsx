import { useCommunication, useSaveCommunication } from '../../api/messages';
import { CommunicationCard } from '../../components/CommunicationCard';
import { ErrorNotice } from '../../components/ErrorNotice';
import { FhirDownloadButton } from '../../components/FhirDownloadButton';
import { Skeleton } from '../../components/Skeleton';
import { toastSuccess } from '../../lib/toast';
import { PatientForm } from '../../components/PatientForm';
import { usePatientRecord, useUpdatePatient } from '../../api/patients';
import { useSessionStore } from '../../lib/session';

/** `/portal/details`: the patient keeps their own contact details and preferences up to date. */
export default function MyDetailsPage() {
  const patientId = useSessionStore((s) => s.user?.patientId) ?? '';
  const record = usePatientRecord(patientId);
  const update = useUpdatePatient(patientId);
  const prefs = useCommunication(patientId);
  const savePrefs = useSaveCommunication(patientId);

  return (
    <main id="main" className="page page--narrow">
      <h1>My details</h1>
      <p className="lead">How we reach you, and what you would like to hear from us.</p>
      {!patientId ? (
        <p className="notice notice--info">Your account is not linked to a patient record yet. Please call the practice.</p>
      ) : record.isError ? (
        <ErrorNotice error={record.error} title="Could not load your details" onRetry={() => void record.refetch()} />
      ) : !record.data ? (
        <Skeleton lines={8} label="Loading your details…" />
      ) : (
        <PatientForm
          key={record.data.updatedAt ?? record.data.id}
          initial={record.data}
          sections={['contact', 'address', 'preferences']}
          label="My details"
          submitLabel="Save my details"
          busyLabel="Saving…"
          submit={async (body) => {
            await update.mutateAsync(body);
            toastSuccess('Your details are saved.');
          }}
        />
      )}
      {patientId && <CommunicationCard audience="patient" prefs={prefs} save={savePrefs} />}
      {patientId && (
        <section className="form-card my-record" aria-labelledby="my-record-title">
          <h2 id="my-record-title" className="section-title">
            My health record
          </h2>
          <p>
            A copy of your record at the practice (appointments, allergies, treatments, prescriptions, insurance, consents and
            documents’ details) as a FHIR R4 file, the standard format other clinics and health apps read.
          </p>
          <div>
            <FhirDownloadButton patientId={patientId} label="Download my record" />
          </div>
        </section>
      )}
    </main>
  );
}
