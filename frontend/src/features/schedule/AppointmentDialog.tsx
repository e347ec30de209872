import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { Dialog } from '../../components/Dialog';
import { isApiError } from '../../lib/api';
import { formatDateTime, formatLongDate, dateInZone, formatTimeRange, todayInZone } from '../../lib/time';
import { toastSuccess } from '../../lib/toast';
import {
  ACTIONS,
  isMovable,
  legalActions,
  patientDisplayName,
  STATUS_LABELS,
  type Appointment,
  type AppointmentType,
  type Operatory,
  type PatientSummary,
  type Provider,
} from '../../lib/types';
import { MovePanel } from './MovePanel';
import { useAppointmentAction, type DeskAction } from '../../api/schedule';
import { usePatient } from '../../api/patients';

export interface AppointmentDialogProps {
  appointment: Appointment | null;
  onClose: () => void;
  providers: Provider[];
  operatories: Operatory[];
  types: AppointmentType[];
  patientSummary: PatientSummary | undefined;
  timeZone: string;
  slotMinutes: number;
  /** The server's copy after an action or a move. */
  onUpdated: (appointment: Appointment) => void;
}

const ACTION_VERBS: Record<DeskAction, string> = {
  undo: 'Undone',
  confirm: 'Confirmed',
  'check-in': 'Checked in',
  complete: 'Completed',
  'no-show': 'Marked as no-show',
  cancel: 'Cancelled',
};

/** The cancellation reasons the server knows; `other` takes a text. */
export const CANCEL_REASONS = [
  { value: 'patient_request', label: 'Patient request' },
  { value: 'illness', label: 'Illness' },
  { value: 'schedule_conflict', label: 'Schedule conflict' },
  { value: 'no_transport', label: 'No transport' },
  { value: 'clinic_closed', label: 'Clinic closed' },
  { value: 'other', label: 'Other' },
] as const;

function reasonLabel(a: Appointment & { cancelReasonText?: string }): string | undefined {
  if (!a.cancelReason) return undefined;
  const preset = CANCEL_REASONS.find((r) => r.value === a.cancelReason);
  if (!preset) return a.cancelReason;
  if (preset.value === 'other') return a.cancelReasonText ? `Other: ${a.cancelReasonText}` : 'Other';
  return preset.label;
}

const ROLE_LABELS: Record<string, string> = {
  system: 'system',
  patient: 'patient',
  receptionist: 'front desk',
  admin: 'admin',
  dentist: 'dentist',
  hygienist: 'hygienist',
  assistant: 'assistant',
};

/** Details of one appointment with the actions its status allows, and Move. */
export function AppointmentDialog(props: AppointmentDialogProps) {
  const { appointment, onClose } = props;
  return (
    <Dialog open={!!appointment} onClose={onClose} title="Appointment" size="lg">
      {appointment && <AppointmentDetails key={appointment.id} {...props} appointment={appointment} />}
    </Dialog>
  );
}

function AppointmentDetails({
  appointment: a,
  providers,
  operatories,
  types,
  patientSummary,
  timeZone,
  slotMinutes,
  onUpdated,
}: AppointmentDialogProps & { appointment: Appointment }) {
  const id = useId();
  const [mode, setMode] = useState<'view' | 'move' | 'cancel'>('view');
  const [reason, setReason] = useState('');
  const [reasonCode, setReasonCode] = useState('');
  const [reasonMissing, setReasonMissing] = useState(false);
  const [error, setError] = useState<{ message: string; requestId: string } | null>(null);
  /** Where focus goes once the view settles after an action or a move. */
  const [focusTarget, setFocusTarget] = useState<'move' | 'status' | null>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const statusRef = useRef<HTMLSpanElement>(null);
  const moveButtonRef = useRef<HTMLButtonElement>(null);
  const reasonRef = useRef<HTMLInputElement>(null);
  const otherRef = useRef<HTMLTextAreaElement>(null);
  const action = useAppointmentAction();
  const patient = usePatient(a.patientId);

  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);
  useEffect(() => {
    if (mode === 'cancel') reasonRef.current?.focus();
  }, [mode]);
  useEffect(() => {
    if (mode !== 'view' || !focusTarget) return;
    (focusTarget === 'move' ? (moveButtonRef.current ?? statusRef.current) : statusRef.current)?.focus();
    setFocusTarget(null);
  }, [mode, focusTarget]);

  const provider = providers.find((p) => p.id === a.providerId);
  const operatory = operatories.find((o) => o.id === a.operatoryId);
  const type = types.find((t) => t.id === a.typeId);
  const record = patient.data;
  const name = record
    ? patientDisplayName(record)
    : patientSummary
      ? patientDisplayName(patientSummary)
      : `Patient ${a.patientId.slice(-6)}`;
  const allergies = record?.allergies ?? [];
  // The server describes a move as "2026-11-25 10:00–10:30 provider <id> chair <id>".
  const describeMove = (text: string) =>
    text
      .replace(/provider (\w+)/, (_m, pid: string) => `with ${providers.find((p) => p.id === pid)?.name ?? 'provider'}`)
      .replace(/chair (\w+)/, (_m, oid: string) => `in ${operatories.find((o) => o.id === oid)?.name ?? 'chair'}`);
  const actions = legalActions(a.status);
  // The server reverts a check-in or a no-show only on the appointment's day (422 otherwise).
  const undoLabel =
    dateInZone(a.start, timeZone) === todayInZone(timeZone)
      ? a.status === 'checked_in'
        ? 'Undo check-in'
        : a.status === 'no_show'
          ? 'Undo no-show'
          : null
      : null;

  async function run(act: DeskAction) {
    setError(null);
    try {
      const updated = await action.mutateAsync({
        id: a.id,
        action: act,
        ...(act === 'cancel'
          ? { reason: { reason: reasonCode, ...(reasonCode === 'other' && reason.trim() ? { reasonText: reason.trim() } : {}) } }
          : {}),
      });
      onUpdated(updated);
      toastSuccess(
        act === 'undo'
          ? `${a.status === 'no_show' ? 'No-show' : 'Check-in'} undone: ${name} is ${(STATUS_LABELS[updated.status] ?? updated.status).toLowerCase()} again.`
          : `${ACTION_VERBS[act]}: ${name}.`,
      );
      setMode('view');
      setReason('');
      setReasonCode('');
      setFocusTarget('status');
    } catch (err) {
      if (isApiError(err)) {
        // An undo's refusal (409 already undone, 422 another day) is the server's own sentence.
        const message =
          err.status === 409 && act !== 'undo'
            ? `This appointment changed in the meantime: ${err.message}. The schedule has been refreshed.`
            : err.message;
        setError({ message, requestId: err.requestId });
      } else {
        setError({ message: 'Something went wrong. Please try again.', requestId: '' });
      }
    }
  }

  if (mode === 'move') {
    return (
      <MovePanel
        appointment={a}
        providers={providers}
        operatories={operatories}
        timeZone={timeZone}
        slotMinutes={slotMinutes}
        onMoved={(updated) => {
          onUpdated(updated);
          setMode('view');
          setFocusTarget('move');
        }}
        onCancel={() => {
          setMode('view');
          setFocusTarget('move');
        }}
      />
    );
  }

  return (
    <div className="appt-details">
      {error && (
        <p ref={errorRef} tabIndex={-1} className="form-error" role="alert">
          {error.message}
          {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
        </p>
      )}
      <dl className="details">
        <div>
          <dt>Patient</dt>
          <dd>
            <Link to={`/patients/${encodeURIComponent(a.patientId)}`} className="strong-link">
              {name}
            </Link>
            {(record?.dateOfBirth ?? patientSummary?.dateOfBirth) && (
              <span className="muted"> · born {record?.dateOfBirth ?? patientSummary?.dateOfBirth}</span>
            )}
          </dd>
        </div>
        {allergies.length > 0 ? (
          <div>
            <dt>Allergies</dt>
            <dd>
              <span className="badge badge--alert">Allergy alert</span>{' '}
              {allergies.map((al) => `${al.substance} (${al.severity})`).join(', ')}
            </dd>
          </div>
        ) : (
          !record &&
          patientSummary?.allergyAlert && (
            <div>
              <dt>Allergies</dt>
              <dd>
                <span className="badge badge--alert">Allergy alert</span> Check the patient’s record.
              </dd>
            </div>
          )
        )}
        <div>
          <dt>Type</dt>
          <dd>{type?.name ?? 'Appointment'}</dd>
        </div>
        <div>
          <dt>When</dt>
          <dd>
            {formatLongDate(dateInZone(a.start, timeZone))}, {formatTimeRange(a.start, a.end, timeZone)}
          </dd>
        </div>
        <div>
          <dt>With</dt>
          <dd>
            {provider?.name ?? 'Provider'}
            {operatory && ` · ${operatory.name}`}
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <span ref={statusRef} tabIndex={-1} className={`status status--${a.status}`}>
              {STATUS_LABELS[a.status] ?? a.status}
            </span>
            {a.lateCancel && <span className="muted"> · late cancellation</span>}
            {a.cancelReason && <span className="muted"> · reason: {reasonLabel(a)}</span>}
          </dd>
        </div>
        {(a as Appointment & { notes?: string }).notes && (
          <div>
            <dt>Notes</dt>
            <dd className="fd-notes">{(a as Appointment & { notes?: string }).notes}</dd>
          </div>
        )}
      </dl>

      {mode === 'cancel' ? (
        <form
          className="cancel-form"
          aria-label="Cancel appointment"
          onSubmit={(e) => {
            e.preventDefault();
            if (!reasonCode) {
              setReasonMissing(true);
              reasonRef.current?.focus();
              return;
            }
            void run('cancel');
          }}
        >
          <fieldset className="fd-reasons" aria-describedby={`${id}-reason-hint`}>
            <legend>Reason for cancelling</legend>
            {CANCEL_REASONS.map((r, i) => (
              <label key={r.value} className="checkbox">
                <input
                  ref={i === 0 ? reasonRef : undefined}
                  type="radio"
                  name={`${id}-reason-code`}
                  value={r.value}
                  checked={reasonCode === r.value}
                  onChange={() => {
                    setReasonCode(r.value);
                    setReasonMissing(false);
                  }}
                />
                {r.label}
              </label>
            ))}
            <p id={`${id}-reason-hint`} className="field__hint">
              Kept in the appointment’s history.
            </p>
            {reasonMissing && <p className="field__error">Choose a reason.</p>}
          </fieldset>
          {reasonCode === 'other' && (
            <div className="field">
              <label htmlFor={`${id}-reason`}>Describe the reason</label>
              <textarea
                ref={otherRef}
                id={`${id}-reason`}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                rows={2}
                maxLength={500}
              />
            </div>
          )}
          <div className="button-row">
            <button type="submit" className="button-danger" disabled={action.isPending}>
              {action.isPending ? 'Cancelling…' : 'Cancel appointment'}
            </button>
            <button
              type="button"
              className="button-secondary"
              onClick={() => {
                setMode('view');
                setFocusTarget('status');
              }}
            >
              Keep appointment
            </button>
          </div>
        </form>
      ) : (
        <div className="button-row" role="group" aria-label="Actions">
          {actions
            .filter((act) => act !== 'cancel')
            .map((act) => (
              <button
                key={act}
                type="button"
                className={act === 'check-in' || act === 'complete' ? 'button-primary' : 'button-secondary'}
                onClick={() => void run(act)}
                disabled={action.isPending}
              >
                {ACTIONS[act].label}
              </button>
            ))}
          {undoLabel && (
            <button type="button" className="button-secondary" onClick={() => void run('undo')} disabled={action.isPending}>
              {undoLabel}
            </button>
          )}
          {isMovable(a.status) && (
            <button ref={moveButtonRef} type="button" className="button-secondary" onClick={() => setMode('move')}>
              Move
            </button>
          )}
          {actions.includes('cancel') && (
            <button type="button" className="button-danger-outline" onClick={() => setMode('cancel')}>
              Cancel…
            </button>
          )}
          {actions.length === 0 && !isMovable(a.status) && !undoLabel && (
            <p className="muted">No further actions for a {STATUS_LABELS[a.status]?.toLowerCase()} appointment.</p>
          )}
        </div>
      )}

      <section aria-labelledby={`${id}-history`} className="history">
        <h3 id={`${id}-history`} className="section-title">
          History
        </h3>
        {a.history.length === 0 ? (
          <p className="muted">No history yet.</p>
        ) : (
          <ol className="history__list">
            {[...a.history].reverse().map((h, i) => (
              <li key={`${h.at}-${i}`}>
                <time dateTime={h.at}>{formatDateTime(h.at, timeZone)}</time>{' '}
                <span className="history__action">{h.action.replace('-', ' ')}</span>
                {h.action === 'move' && h.from && h.to ? (
                  <span>
                    {' '}
                    from {describeMove(h.from)} to {describeMove(h.to)}
                  </span>
                ) : h.from && h.to ? (
                  <span>
                    {' '}
                    from {STATUS_LABELS[h.from as keyof typeof STATUS_LABELS] ?? h.from} to{' '}
                    {STATUS_LABELS[h.to as keyof typeof STATUS_LABELS] ?? h.to}
                  </span>
                ) : h.to ? (
                  <span> → {STATUS_LABELS[h.to as keyof typeof STATUS_LABELS] ?? h.to}</span>
                ) : null}
                <span className="muted"> · by {ROLE_LABELS[h.byRole] ?? h.byRole}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
