import { useEffect, useId, useRef, useState } from 'react';
import { useParams } from 'react-router-dom';
import { useClinicianNames } from '../../api/notes';
import { usePatient } from '../../api/patients';
import {
  RX_FORM_LABELS,
  useDiscontinuePrescription,
  usePrescriptions,
  type Prescription,
} from '../../api/prescriptions';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PatientHeader } from '../../components/PatientHeader';
import { Skeleton } from '../../components/Skeleton';
import { formatDateTime } from '../../lib/time';
import { toastError, toastSuccess } from '../../lib/toast';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';
import { PrescriptionForm } from './PrescriptionForm';
import { RxPrintSheet } from './RxPrintSheet';
import { patientPending } from '../../components/PatientPending';

const formLabel = (f: string) => RX_FORM_LABELS[f as keyof typeof RX_FORM_LABELS] ?? f;

/** `/patients/:id/prescriptions`: prescribe (dentists), the active and discontinued list, print. */
export default function PrescriptionsPage() {
  const { id = '' } = useParams();
  const user = useSessionStore((s) => s.user);
  const clinicName = useSessionStore((s) => s.clinic?.name ?? '');
  const role = user?.role;
  const timeZone = useClinicTimeZone();
  const patient = usePatient(id);
  const list = usePrescriptions(id, 'all');
  const names = useClinicianNames();
  const discontinue = useDiscontinuePrescription(id);
  const [printing, setPrinting] = useState<Prescription | null>(null);
  const [stopping, setStopping] = useState<Prescription | null>(null);
  const [stopReason, setStopReason] = useState('');
  const [justPrescribed, setJustPrescribed] = useState<Prescription | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  const reasonId = useId();
  const canPrescribe = role === 'dentist';

  // Print once the sheet is in the page; clear it when the print dialog closes.
  useEffect(() => {
    if (!printing) return;
    const done = () => setPrinting(null);
    window.addEventListener('afterprint', done);
    window.print();
    return () => window.removeEventListener('afterprint', done);
  }, [printing]);

  useEffect(() => {
    if (justPrescribed) noticeRef.current?.focus();
  }, [justPrescribed]);

  const gate = patientPending(patient, 'Prescriptions');
  if (gate || !patient.data) return gate;
  const p = patient.data;

  function prescriberName(prescriberId: string): string {
    const name = names.data?.get(prescriberId);
    if (name) return name;
    if (user && prescriberId === user.id) return `${user.firstName} ${user.lastName}`;
    return 'the prescribing dentist';
  }

  async function doDiscontinue() {
    if (!stopping) return;
    try {
      await discontinue.mutateAsync({ id: stopping.id, reason: stopReason.trim() || undefined });
      toastSuccess(`${stopping.drug} ${stopping.strength} discontinued.`);
      setStopping(null);
      setStopReason('');
    } catch (err) {
      toastError(err);
    }
  }

  const all = list.data ?? [];
  const active = all.filter((rx) => rx.status === 'active');
  const stopped = all.filter((rx) => rx.status !== 'active');

  const item = (rx: Prescription) => (
    <li key={rx.id} className={`rx-item rx-item--${rx.status}`}>
      <div className="rx-item__main">
        <h3 className="rx-item__drug">
          {rx.drug} {rx.strength} <span className="rx-item__form">{formLabel(rx.form)}</span>
          {rx.status !== 'active' && <span className="rx-status rx-status--discontinued">Discontinued</span>}
        </h3>
        <p>{rx.sig}</p>
        <p className="rx-item__meta">
          Quantity {rx.quantity} · Refills {rx.refills}
          {rx.reason ? ` · For: ${rx.reason}` : ''}
        </p>
        <p className="rx-item__meta">
          Prescribed {formatDateTime(rx.prescribedAt, timeZone)} by {prescriberName(rx.prescriberId)}
        </p>
        {rx.override && (
          <p className="rx-item__override">
            <strong>Prescribed despite an allergy warning.</strong> Reason: {rx.override.reason}
          </p>
        )}
        {rx.status !== 'active' && rx.discontinuedAt && (
          <p className="rx-item__meta">
            Discontinued {formatDateTime(rx.discontinuedAt, timeZone)}
            {rx.discontinueReason ? `: ${rx.discontinueReason}` : ''}
          </p>
        )}
      </div>
      <div className="button-row rx-item__actions">
        <button type="button" className="button-secondary" onClick={() => setPrinting(rx)}>
          Print{' '}<span className="visually-hidden">{rx.drug} {rx.strength}</span>
        </button>
        {canPrescribe && rx.status === 'active' && (
          <button type="button" className="button-danger-outline" onClick={() => setStopping(rx)}>
            Discontinue{' '}<span className="visually-hidden">{rx.drug} {rx.strength}</span>
          </button>
        )}
      </div>
    </li>
  );

  return (
    <main id="main" className="page rx-page">
      <PatientHeader patient={p} role={role} section="Prescriptions" />

      {canPrescribe && (
        <section className="card rx-form-card">
          <PrescriptionForm
            patientId={id}
            onPrescribed={(rx) => {
              setJustPrescribed(rx);
              toastSuccess(`${rx.drug} ${rx.strength} prescribed.`);
            }}
          />
        </section>
      )}
      {justPrescribed && (
        <div ref={noticeRef} tabIndex={-1} className="notice notice--info rx-done" role="status">
          <p>
            <strong>
              {justPrescribed.drug} {justPrescribed.strength}
            </strong>{' '}
            prescribed.
          </p>
          <div className="button-row">
            <button type="button" className="button-primary" onClick={() => setPrinting(justPrescribed)}>
              Print prescription
            </button>
            <button type="button" className="button-ghost" onClick={() => setJustPrescribed(null)}>
              Dismiss
            </button>
          </div>
        </div>
      )}

      {list.isError ? (
        <ErrorNotice error={list.error} title="Could not load the prescriptions" onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Skeleton lines={4} label="Loading prescriptions…" />
      ) : (
        <>
          <section aria-labelledby="rx-active" className="rx-section">
            <h2 id="rx-active" className="section-title">
              Active ({active.length})
            </h2>
            {active.length === 0 ? <p className="muted">No active prescriptions.</p> : <ul className="rx-list">{active.map(item)}</ul>}
          </section>
          {stopped.length > 0 && (
            <section aria-labelledby="rx-stopped" className="rx-section">
              <h2 id="rx-stopped" className="section-title">
                Discontinued ({stopped.length})
              </h2>
              <ul className="rx-list">{stopped.map(item)}</ul>
            </section>
          )}
        </>
      )}

      <Dialog
        open={!!stopping}
        onClose={() => setStopping(null)}
        size="sm"
        title={stopping ? `Discontinue ${stopping.drug} ${stopping.strength}?` : ''}
        description={<p>It moves to the discontinued list and is no longer shown to the patient as active.</p>}
      >
        <form
          className="rx-stop"
          onSubmit={(e) => {
            e.preventDefault();
            void doDiscontinue();
          }}
        >
          <div className="field">
            <label htmlFor={reasonId}>Reason (optional)</label>
            <input id={reasonId} value={stopReason} maxLength={500} onChange={(e) => setStopReason(e.target.value)} />
          </div>
          <div className="button-row">
            <button type="submit" className="button-danger" disabled={discontinue.isPending}>
              {discontinue.isPending ? 'Saving…' : 'Discontinue'}
            </button>
            <button type="button" className="button-secondary" onClick={() => setStopping(null)}>
              Keep it active
            </button>
          </div>
        </form>
      </Dialog>

      {printing && (
        <RxPrintSheet
          rx={printing}
          facts={{
            clinicName,
            patientName: `${p.firstName} ${p.lastName}`,
            dateOfBirth: p.dateOfBirth,
            prescriber: prescriberName(printing.prescriberId),
            timeZone,
          }}
        />
      )}
    </main>
  );
}
