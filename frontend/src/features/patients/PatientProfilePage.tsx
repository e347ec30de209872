import { useId, useRef, useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { dateInZone, formatDateTime, formatLongDate, isCalendarDate, todayInZone } from '../../lib/time';
import { toastSuccess } from '../../lib/toast';
import {
  isSevereAllergy,
  patientDisplayName,
  STATUS_LABELS,
  type Allergy,
  type AppointmentStatus,
  type PatientRecord,
} from '../../lib/types';
import { useClinicCountry, useClinicTimeZone, useSessionStore } from '../../lib/session';
import { PatientTabs } from '../../components/PatientTabs';
import { MedicalHistoryEditor } from './MedicalHistoryEditor';
import { useArchivePatient, useFamily, usePatientRecord, useTimeline } from '../../api/patients';
import { formatPhone } from '../../lib/phone';
import { countryName, languageName } from '../../lib/places';
import { useCommunication, useSaveCommunication } from '../../api/messages';
import { CommunicationCard } from '../../components/CommunicationCard';
import { FhirDownloadButton } from '../../components/FhirDownloadButton';
import { Email } from './text';

const CONTACT_LABELS: Record<string, string> = {
  sms: 'Text message',
  email: 'Email',
  phone: 'Phone call',
  none: 'Do not contact',
};

const SEVERITY_LABELS: Record<string, string> = {
  mild: 'mild',
  moderate: 'moderate',
  severe: 'SEVERE',
  'life-threatening': 'LIFE-THREATENING',
};

function ageOn(dateOfBirth: string, today: string): number | null {
  if (!isCalendarDate(dateOfBirth)) return null;
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

function formatDate(date: string | undefined): string {
  return date && isCalendarDate(date) ? formatLongDate(date) : (date ?? '');
}

/**
 * Allergies first, before anything else on the record. Severe and
 * life-threatening ones are an alert (announced as soon as the record
 * loads); milder ones are a clearly labelled region.
 */
export function AllergyBanner({ allergies }: { allergies: Allergy[] }) {
  const id = useId();
  if (allergies.length === 0) {
    return (
      <section className="allergy-banner allergy-banner--none" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`} className="allergy-banner__title">
          Allergies
        </h2>
        <p>No known allergies on file.</p>
      </section>
    );
  }
  const severe = allergies.some(isSevereAllergy);
  const list = (
    <ul className="allergy-banner__list">
      {allergies.map((a, i) => (
        <li key={`${a.substance}-${i}`}>
          <strong>{a.substance}</strong> — {SEVERITY_LABELS[a.severity] ?? a.severity}
        </li>
      ))}
    </ul>
  );
  if (severe) {
    return (
      <div className="allergy-banner allergy-banner--severe" role="alert">
        <h2 className="allergy-banner__title">
          <span aria-hidden="true">⚠ </span>Allergy alert
        </h2>
        {list}
      </div>
    );
  }
  return (
    <section className="allergy-banner allergy-banner--warn" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="allergy-banner__title">
        Allergy alert
      </h2>
      {list}
    </section>
  );
}

/** `/patients/:id`: the record, allergies first. */
export default function PatientProfilePage() {
  const { id = '' } = useParams();
  const record = usePatientRecord(id);

  if (record.isError) {
    const missing = isApiError(record.error) && record.error.status === 404;
    return (
      <main id="main" className="page">
        <p className="breadcrumb">
          <Link to="/patients">Patients</Link>
        </p>
        <h1>{missing ? 'Patient not found' : 'Patient'}</h1>
        {missing ? (
          <p>There is no patient at this address. They may have been removed.</p>
        ) : (
          <ErrorNotice error={record.error} title="Could not load this patient" onRetry={() => void record.refetch()} />
        )}
      </main>
    );
  }
  if (!record.data) {
    return (
      <main id="main" className="page">
        <h1 className="visually-hidden">Patient</h1>
        <Skeleton lines={10} label="Loading the patient…" />
      </main>
    );
  }
  return <Profile patient={record.data} />;
}

function Profile({ patient: p }: { patient: PatientRecord }) {
  const id = useId();
  const navigate = useNavigate();
  const timeZone = useClinicTimeZone();
  const country = useClinicCountry();
  const role = useSessionStore((s) => s.user?.role);
  const today = todayInZone(timeZone);
  const [confirmArchive, setConfirmArchive] = useState(false);
  const [archiveError, setArchiveError] = useState<string | null>(null);
  const [editingHistory, setEditingHistory] = useState(false);
  const returnFocus = useRef(false);
  const keepRef = useRef<HTMLButtonElement>(null);
  const archive = useArchivePatient(p.id);
  const name = patientDisplayName(p);
  const age = ageOn(p.dateOfBirth, today);
  const archived = p.status === 'archived';
  const address = p.address
    ? [p.address.line1, p.address.line2, [p.address.city, p.address.region, p.address.postalCode].filter(Boolean).join(' '), p.address.country && countryName(p.address.country)]
        .filter(Boolean)
        .join(', ')
    : '';

  async function doArchive() {
    setArchiveError(null);
    try {
      await archive.mutateAsync();
      toastSuccess(`Archived ${name}.`);
      setConfirmArchive(false);
      navigate('/patients');
    } catch (err) {
      setArchiveError(isApiError(err) ? `${err.message} (Reference: ${err.requestId})` : 'Please try again.');
    }
  }

  return (
    <main id="main" className="page patient-profile">
      <p className="breadcrumb">
        <Link to="/patients">Patients</Link>
      </p>
      <div className="page__header page__header--row">
        <div>
          <h1>
            {name}
            {archived && <span className="status status--cancelled badge">Archived</span>}
          </h1>
          <p className="muted">
            Born {formatDate(p.dateOfBirth)}
            {age !== null && ` (${age})`}
            {p.sex && ` · ${p.sex}`}
          </p>
        </div>
        <div className="button-row">
          {!archived && (
            <Link
              to={`/schedule?book=1&patientId=${encodeURIComponent(p.id)}`}
              className="button-primary"
            >
              Book appointment
            </Link>
          )}
          <Link to={`/patients/${encodeURIComponent(p.id)}/edit`} className="button-secondary">
            Edit details
          </Link>
          {role === 'admin' && <FhirDownloadButton patientId={p.id} label="Download FHIR record" />}
          {!archived && (
            <button type="button" className="button-danger-outline" onClick={() => setConfirmArchive(true)}>
              Archive…
            </button>
          )}
        </div>
      </div>

      <PatientTabs patientId={p.id} role={role} />

      <AllergyBanner allergies={p.allergies ?? []} />

      <div className="profile-grid">
        <section className="card" aria-labelledby={`${id}-contact`}>
          <h2 id={`${id}-contact`} className="section-title">
            Contact and demographics
          </h2>
          <dl className="details">
            <Row label="Phone">{formatPhone(p.phone, country)}</Row>
            <Row label="Email">{p.email && <Email value={p.email} />}</Row>
            <Row label="Address">{address}</Row>
            <Row label="Prefers">{p.preferredContactMethod && CONTACT_LABELS[p.preferredContactMethod]}</Row>
            <Row label="Language">{p.language && languageName(p.language)}</Row>
            <Row label="Reminders">
              {p.communication
                ? `${p.communication.appointmentReminders ? 'Appointment reminders' : 'No reminders'} · ${
                    p.communication.marketing ? 'news and offers' : 'no news or offers'
                  }`
                : ''}
            </Row>
            <Row label="Emergency">
              {p.emergencyContact &&
                [p.emergencyContact.name, p.emergencyContact.relationship, formatPhone(p.emergencyContact.phone, country)]
                  .filter(Boolean)
                  .join(' · ')}
            </Row>
          </dl>
        </section>

        <PatientCommunication patientId={p.id} />

        <section className="card" aria-labelledby={`${id}-medical`}>
          <h2 id={`${id}-medical`} className="section-title">
            Medical history
          </h2>
          {editingHistory ? (
            <MedicalHistoryEditor
              patient={p}
              onDone={() => {
                returnFocus.current = true;
                setEditingHistory(false);
              }}
            />
          ) : (
            <>
              <dl className="details">
                <Row label="Allergies">
                  {p.allergies?.length ? p.allergies.map((a) => `${a.substance} (${a.severity})`).join(', ') : 'None known'}
                </Row>
                <Row label="Medications">
                  {p.medications?.length
                    ? p.medications.map((m) => (m.dose ? `${m.name} ${m.dose}` : m.name)).join(', ')
                    : 'None recorded'}
                </Row>
                <Row label="Conditions">
                  {p.conditions?.length
                    ? p.conditions.map((c) => (c.notes ? `${c.name} (${c.notes})` : c.name)).join(', ')
                    : 'None recorded'}
                </Row>
              </dl>
              <p className="muted small">
                {p.medicalHistoryUpdatedAt
                  ? `Last updated ${formatDateTime(p.medicalHistoryUpdatedAt, timeZone)}.`
                  : 'Never reviewed. Ask the patient at their next visit.'}
              </p>
              {!archived && (
                <button
                  ref={(el) => {
                    if (el && returnFocus.current) {
                      returnFocus.current = false;
                      el.focus();
                    }
                  }}
                  type="button"
                  className="button-secondary"
                  onClick={() => setEditingHistory(true)}
                >
                  Edit medical history
                </button>
              )}
            </>
          )}
        </section>

        <section className="card" aria-labelledby={`${id}-recall`}>
          <h2 id={`${id}-recall`} className="section-title">
            Recall
          </h2>
          <dl className="details">
            <Row label="Due">
              {p.recall?.dueDate ? (
                <>
                  {formatDate(p.recall.dueDate)}
                  {p.recall.dueDate <= today && <span className="badge badge--alert">Overdue</span>}
                </>
              ) : (
                'Not set'
              )}
            </Row>
            <Row label="Interval">{p.recall?.intervalMonths ? `Every ${p.recall.intervalMonths} months` : ''}</Row>
            <Row label="Last hygiene">{formatDate(p.recall?.lastHygieneVisit)}</Row>
          </dl>
        </section>

        <Family patient={p} />
      </div>

      <Timeline patientId={p.id} timeZone={timeZone} />

      <Dialog
        open={confirmArchive}
        onClose={() => setConfirmArchive(false)}
        title="Archive this patient?"
        description={`${name} will no longer appear in searches or be bookable. The record and its history are kept.`}
        size="sm"
        initialFocusRef={keepRef}
      >
        {archiveError && (
          <p className="form-error" role="alert">
            {archiveError}
          </p>
        )}
        <div className="button-row">
          <button type="button" className="button-danger" onClick={() => void doArchive()} disabled={archive.isPending}>
            {archive.isPending ? 'Archiving…' : 'Archive patient'}
          </button>
          <button ref={keepRef} type="button" className="button-secondary" onClick={() => setConfirmArchive(false)}>
            Keep patient
          </button>
        </div>
      </Dialog>
    </main>
  );
}

function PatientCommunication({ patientId }: { patientId: string }) {
  const prefs = useCommunication(patientId);
  const save = useSaveCommunication(patientId);
  return <CommunicationCard audience="staff" prefs={prefs} save={save} />;
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  const empty = children === undefined || children === null || children === '' || children === false;
  return (
    <div>
      <dt>{label}</dt>
      <dd>{empty ? <span className="muted">Not recorded</span> : children}</dd>
    </div>
  );
}

function Family({ patient }: { patient: PatientRecord }) {
  const id = useId();
  const family = useFamily(patient.id);
  const others = (family.data ?? []).filter((m) => m.id !== patient.id);
  const guarantorId = patient.guarantorId || (others.length ? patient.id : undefined);
  return (
    <section className="card" aria-labelledby={`${id}-family`}>
      <h2 id={`${id}-family`} className="section-title">
        Family
      </h2>
      {family.isError ? (
        <ErrorNotice error={family.error} title="Could not load the family" onRetry={() => void family.refetch()} />
      ) : family.isPending ? (
        <Skeleton lines={2} label="Loading the family…" />
      ) : others.length === 0 ? (
        <p className="muted">No family members linked.</p>
      ) : (
        <ul className="plain-list">
          {guarantorId === patient.id && <li>{patientDisplayName(patient)} is the guarantor.</li>}
          {others.map((m) => (
            <li key={m.id}>
              <Link to={`/patients/${encodeURIComponent(m.id)}`}>{patientDisplayName(m)}</Link>
              <span className="muted"> · born {m.dateOfBirth}</span>
              {m.id === guarantorId && <span className="muted"> · guarantor</span>}
              {m.allergyAlert && <span className="badge badge--alert">Allergy alert</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Timeline({ patientId, timeZone }: { patientId: string; timeZone: string }) {
  const id = useId();
  const timeline = useTimeline(patientId);
  const items = timeline.data ?? [];
  return (
    <section className="card" aria-labelledby={`${id}-timeline`}>
      <h2 id={`${id}-timeline`} className="section-title">
        Timeline
      </h2>
      {timeline.isError ? (
        <ErrorNotice error={timeline.error} title="Could not load the timeline" onRetry={() => void timeline.refetch()} />
      ) : timeline.isPending ? (
        <Skeleton lines={3} label="Loading the timeline…" />
      ) : items.length === 0 ? (
        <p className="muted">Nothing yet: no visits or changes on file.</p>
      ) : (
        <ol className="timeline">
          {items.map((item) => (
            <li key={`${item.kind}-${item.id}-${item.at}`} className="timeline__item">
              <time dateTime={item.at}>{formatDateTime(item.at, timeZone)}</time>{' '}
              {item.kind === 'appointment' ? (
                <Link to={`/schedule?date=${dateInZone(item.at, timeZone)}`}>{item.title}</Link>
              ) : (
                <span>{item.title}</span>
              )}
              {item.status && (
                <span className={`status status--${item.status}`}>
                  {STATUS_LABELS[item.status as AppointmentStatus] ?? item.status}
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
