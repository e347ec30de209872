import { RX_FORM_LABELS, usePrescriptions } from '../../api/prescriptions';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { dateInZone, formatLongDate } from '../../lib/time';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';

/** `/portal/prescriptions`: the patient's active prescriptions. */
export default function PortalPrescriptionsPage() {
  const patientId = useSessionStore((s) => s.user?.patientId);
  const timeZone = useClinicTimeZone();
  const list = usePrescriptions(patientId, 'active');
  const active = (list.data ?? []).filter((rx) => rx.status === 'active');

  return (
    <main id="main" className="page page--narrow">
      <h1>Prescriptions</h1>
      <p className="lead">Medicines your dentist has prescribed that are still active.</p>
      {list.isError ? (
        <ErrorNotice error={list.error} title="Could not load your prescriptions" onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Skeleton lines={4} label="Loading your prescriptions…" />
      ) : active.length === 0 ? (
        <div className="empty-state">
          <p>You have no active prescriptions.</p>
        </div>
      ) : (
        <ul className="portal-list">
          {active.map((rx) => (
            <li key={rx.id} className="visit-card">
              <h2 className="portal-rx__drug">
                {rx.drug} {rx.strength}{' '}
                <span className="muted">{RX_FORM_LABELS[rx.form as keyof typeof RX_FORM_LABELS] ?? rx.form}</span>
              </h2>
              <p>
                <strong>How to take it:</strong> {rx.sig}
              </p>
              <p>
                Quantity {rx.quantity} · {rx.refills === 0 ? 'No refills' : `${rx.refills} refill${rx.refills === 1 ? '' : 's'}`}
              </p>
              {rx.reason && <p>For: {rx.reason}</p>}
              <p className="muted">Prescribed {formatLongDate(dateInZone(rx.prescribedAt, timeZone))}</p>
            </li>
          ))}
        </ul>
      )}
      <p className="muted portal-rx__note">Questions about a medicine? Call the practice, or ask your pharmacist.</p>
    </main>
  );
}
