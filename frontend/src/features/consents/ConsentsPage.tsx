import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import {
  kindLabel,
  sortConsents,
  useDownloadConsentPdf,
  usePatientConsents,
  type Consent,
} from '../../api/consents';
import { useClinicianNames } from '../../api/notes';
import { usePatient } from '../../api/patients';
import { usePlans } from '../../api/plans';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PatientHeader } from '../../components/PatientHeader';
import { Skeleton } from '../../components/Skeleton';
import { patientDisplayName } from '../../lib/types';
import { formatDateTime } from '../../lib/time';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';
import { ConsentText } from './ConsentText';
import { SendConsentForm } from './SendConsentForm';
import { patientPending } from '../../components/PatientPending';

/** `/patients/:id/consents`: send a form to sign, the forms with their status, read one, download a signed one. */
export default function ConsentsPage() {
  const { id = '' } = useParams();
  const user = useSessionStore((s) => s.user);
  const role = user?.role;
  const timeZone = useClinicTimeZone();
  const patient = usePatient(id);
  const consents = usePatientConsents(id);
  const plans = usePlans(id);
  const names = useClinicianNames();
  const download = useDownloadConsentPdf();
  const [reading, setReading] = useState<Consent | null>(null);

  const gate = patientPending(patient, 'Consents');
  if (gate || !patient.data) return gate;
  const p = patient.data;
  const patientName = patientDisplayName(p);
  const planTitles = new Map((plans.data ?? []).map((plan) => [plan.id, plan.title]));
  const list = sortConsents(consents.data ?? []);
  const pending = list.filter((c) => c.status !== 'signed');
  const signed = list.filter((c) => c.status === 'signed');

  function senderName(sentBy: string): string | null {
    if (user && sentBy === user.id) return 'you';
    return names.data?.get(sentBy) ?? null;
  }

  const item = (c: Consent) => {
    const sender = senderName(c.sentBy);
    const plan = c.planId ? (planTitles.get(c.planId) ?? 'a treatment plan') : null;
    const sig = c.signature;
    const guardian = !!sig && (!!sig.onBehalfOf || (!!sig.signerPatientId && sig.signerPatientId !== c.patientId));
    return (
      <li key={c.id} className={`consent-item consent-item--${c.status}`}>
        <div className="consent-item__main">
          <h3 className="consent-item__title">
            {c.title}{' '}
            <span className={`consent-status consent-status--${c.status === 'signed' ? 'signed' : 'pending'}`}>
              {c.status === 'signed' ? (
                <>
                  <span aria-hidden="true">✓ </span>Signed
                </>
              ) : (
                'Pending'
              )}
            </span>
          </h3>
          <p className="consent-item__meta">
            {kindLabel(c.kind)} · version {c.templateVersion}
            {plan && <> · for the plan “{plan}”</>}
          </p>
          <p className="consent-item__meta">
            Sent {formatDateTime(c.sentAt, timeZone)}
            {sender ? ` by ${sender}` : ''}
          </p>
          {sig ? (
            <p className="consent-item__signed">
              Signed “{sig.name}” on {formatDateTime(sig.signedAt, timeZone)}
              {guardian && <> by a guardian, on behalf of {patientName}</>}
            </p>
          ) : (
            <p className="consent-item__meta">Waiting for {patientName} to sign it in the patient portal.</p>
          )}
        </div>
        <div className="button-row consent-item__actions">
          <button type="button" className="button-secondary" onClick={() => setReading(c)}>
            Read{' '}<span className="visually-hidden">{c.title}</span>
          </button>
          {c.status === 'signed' && (
            <button
              type="button"
              className="button-secondary"
              disabled={download.isPending && download.variables?.id === c.id}
              onClick={() => download.mutate(c)}
            >
              {download.isPending && download.variables?.id === c.id ? 'Downloading…' : 'Download signed PDF'}
              {' '}<span className="visually-hidden">of {c.title}</span>
            </button>
          )}
        </div>
      </li>
    );
  };

  return (
    <main id="main" className="page consent-page">
      <PatientHeader
        patient={p}
        role={role}
        section="Consents"
        actions={
          role === 'admin' ? (
            <Link to="/consent-templates" className="button-secondary">
              Consent templates
            </Link>
          ) : undefined
        }
      />

      <section className="card consent-send-card" aria-labelledby="consent-send-title">
        <h2 id="consent-send-title" className="section-title">
          Send a form to sign
        </h2>
        <SendConsentForm patientId={id} patientName={patientName} plans={plans.data ?? []} />
      </section>

      {consents.isError ? (
        <ErrorNotice error={consents.error} title="Could not load the forms" onRetry={() => void consents.refetch()} />
      ) : consents.isPending ? (
        <Skeleton lines={4} label="Loading forms…" />
      ) : list.length === 0 ? (
        <div className="empty-state">
          <p>No forms sent to {patientName} yet.</p>
        </div>
      ) : (
        <>
          <section aria-labelledby="consent-pending" className="consent-section">
            <h2 id="consent-pending" className="section-title">
              Pending ({pending.length})
            </h2>
            {pending.length === 0 ? (
              <p className="muted">Every form sent has been signed.</p>
            ) : (
              <ul className="consent-list">{pending.map(item)}</ul>
            )}
          </section>
          {signed.length > 0 && (
            <section aria-labelledby="consent-signed" className="consent-section">
              <h2 id="consent-signed" className="section-title">
                Signed ({signed.length})
              </h2>
              <ul className="consent-list">{signed.map(item)}</ul>
            </section>
          )}
        </>
      )}

      <Dialog
        open={!!reading}
        onClose={() => setReading(null)}
        size="lg"
        title={reading?.title ?? ''}
        description={
          reading && (
            <p>
              {reading.status === 'signed'
                ? `The text ${patientName} signed`
                : `The text ${patientName} will be asked to sign`}{' '}
              (version {reading.templateVersion}
              {reading.bodyHash ? `, fingerprint ${reading.bodyHash.slice(0, 12)}` : ''}).
            </p>
          )
        }
      >
        {reading && (
          <>
            <ConsentText body={reading.body} />
            {reading.signature && (
              <p className="consent-item__signed">
                Signed “{reading.signature.name}” on {formatDateTime(reading.signature.signedAt, timeZone)}.
              </p>
            )}
            <div className="button-row">
              {reading.status === 'signed' && (
                <button
                  type="button"
                  className="button-primary"
                  disabled={download.isPending}
                  onClick={() => download.mutate(reading)}
                >
                  {download.isPending ? 'Downloading…' : 'Download signed PDF'}
                </button>
              )}
              <button type="button" className="button-secondary" onClick={() => setReading(null)}>
                Close
              </button>
            </div>
          </>
        )}
      </Dialog>
    </main>
  );
}
