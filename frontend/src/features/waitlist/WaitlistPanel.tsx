import { Link } from 'react-router-dom';
import { Countdown } from '../../components/Countdown';
import { formatDateTime, formatLongDate, formatMinutes, formatTimeRange, isCalendarDate, parseHHMM } from '../../lib/time';
import {
  patientDisplayName,
  type AppointmentType,
  type PatientSummary,
  type Provider,
  type WaitlistEntry,
} from '../../lib/types';

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const URGENCY_LABELS: Record<number, string> = { 1: 'Low', 2: 'Routine', 3: 'Soon', 4: 'High', 5: 'Urgent' };

export function urgencyLabel(u: number): string {
  return `${URGENCY_LABELS[u] ?? 'Urgency'} (${u} of 5)`;
}

/** Most urgent first; equal urgency keeps the order people joined. */
export function sortByUrgency(entries: WaitlistEntry[]): WaitlistEntry[] {
  return [...entries].sort(
    (a, b) => b.urgency - a.urgency || (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.id.localeCompare(b.id),
  );
}

function safeTime(hhmm: string | undefined): string | null {
  if (!hhmm) return null;
  try {
    return formatMinutes(parseHHMM(hhmm));
  } catch {
    return hhmm;
  }
}

export function describePreferences(e: WaitlistEntry, providers: Map<string, Provider>): string {
  const days = e.days?.length ? e.days.map(capital).join(', ') : 'Any day';
  const from = safeTime(e.from);
  const to = safeTime(e.to);
  const hours = from && to ? `${from} – ${to}` : 'any time';
  const who = e.providerIds?.length
    ? `with ${e.providerIds.map((id) => providers.get(id)?.name ?? 'a chosen provider').join(' or ')}`
    : 'any provider';
  return `${days}, ${hours}, ${who}`;
}

export interface WaitlistPanelProps {
  entries: WaitlistEntry[];
  patients: Map<string, PatientSummary>;
  types: Map<string, AppointmentType>;
  providers: Map<string, Provider>;
  timeZone: string;
  onRemove: (entry: WaitlistEntry) => void;
  /** Book a waiting entry into a chosen time (the booking dialog, prefilled). */
  onBook?: (entry: WaitlistEntry) => void;
  /** Offer a waiting entry a chosen time now. */
  onOffer?: (entry: WaitlistEntry) => void;
}

/** The waitlist, most urgent first; an offer in flight shows its slot and how long it has left. */
export function WaitlistPanel({ entries, patients, types, providers, timeZone, onRemove, onBook, onOffer }: WaitlistPanelProps) {
  if (entries.length === 0) {
    return (
      <div className="empty-state">
        <h2>Nobody is waiting</h2>
        <p>Add a patient who wants an earlier visit; they are offered cancelled slots that suit them.</p>
      </div>
    );
  }
  return (
    <ol className="waitlist" aria-label="Waitlist, most urgent first">
      {sortByUrgency(entries).map((e) => {
        const patient = patients.get(e.patientId);
        const name = patient ? patientDisplayName(patient) : 'Patient';
        const offered = e.status === 'offered' && e.offer;
        return (
          <li key={e.id} className={`waitlist-entry waitlist-entry--u${e.urgency}`}>
            <div className="waitlist-entry__head">
              <h2 className="waitlist-entry__name">
                <Link to={`/patients/${encodeURIComponent(e.patientId)}`}>{name}</Link>
              </h2>
              <span className={`urgency urgency--${e.urgency}`}>{urgencyLabel(e.urgency)}</span>
              <span className={`status status--${offered ? 'held' : 'scheduled'}`}>{offered ? 'Offered' : 'Waiting'}</span>
              {patient?.allergyAlert && <span className="badge badge--alert">Allergy alert</span>}
            </div>
            <p className="waitlist-entry__what">
              {(e.typeId && types.get(e.typeId)?.name) || 'Any visit'} · {describePreferences(e, providers)}
            </p>
            {offered && e.offer && (
              <p className="waitlist-entry__offer">
                Offered {formatDateTime(e.offer.start, timeZone)} –{' '}
                {formatTimeRange(e.offer.start, e.offer.end, timeZone).split(' – ')[1]} with{' '}
                {providers.get(e.offer.providerId)?.name ?? 'a provider'} · <Countdown expiresAt={e.offer.expiresAt} />
              </p>
            )}
            <div className="waitlist-entry__foot">
              <span className="muted small">
                {e.expiresOn && isCalendarDate(e.expiresOn) ? `Waiting until ${formatLongDate(e.expiresOn)}` : ''}
              </span>
              <div className="button-row">
                {/* An offer out holds a time already: its answer (or lapse) comes first. */}
                {!offered && onBook && (
                  <button type="button" className="button-secondary" onClick={() => onBook(e)}>
                    Book…{' '}
                    <span className="visually-hidden">{name}</span>
                  </button>
                )}
                {!offered && onOffer && (
                  <button type="button" className="button-secondary" onClick={() => onOffer(e)}>
                    Offer a time…{' '}
                    <span className="visually-hidden">to {name}</span>
                  </button>
                )}
                <button type="button" className="button-ghost" onClick={() => onRemove(e)}>
                  Remove{' '}
                  <span className="visually-hidden">{name} from the waitlist</span>
                </button>
              </div>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
