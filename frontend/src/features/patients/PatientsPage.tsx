import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { patientDisplayName, type PatientSummary } from '../../lib/types';
import { useDebouncedValue } from '../../lib/useDebouncedValue';
import { PATIENT_LIST_LIMIT, usePatientList } from '../../api/patients';
import { formatPhone } from '../../lib/phone';
import { useClinicCountry } from '../../lib/session';
import { patientCountText } from './text';

export const PATIENT_SEARCH_DEBOUNCE_MS = 250;

function describe(p: PatientSummary, country: string): string {
  return [p.dateOfBirth && `born ${p.dateOfBirth}`, formatPhone(p.phone, country), p.email].filter(Boolean).join(' · ');
}

/**
 * Finds a patient by name, phone or email as you type (debounced). The
 * results are links: Tab or the arrow keys move through them, Enter opens one.
 */
export default function PatientsPage() {
  const id = useId();
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(() => params.get('q') ?? '');
  const term = useDebouncedValue(text, PATIENT_SEARCH_DEBOUNCE_MS).trim();
  const list = usePatientList(term);
  const country = useClinicCountry();
  const items = list.data?.items ?? [];
  const inputRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);

  // The search survives a visit to a profile and back.
  useEffect(() => {
    setParams(
      (p) => {
        const out = new URLSearchParams(p);
        if (term) out.set('q', term);
        else out.delete('q');
        return out;
      },
      { replace: true },
    );
  }, [term, setParams]);

  const links = () => Array.from(listRef.current?.querySelectorAll<HTMLAnchorElement>('a.patient-row__link') ?? []);

  function onInputKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown') {
      const first = links()[0];
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  }

  function onListKeyDown(event: KeyboardEvent<HTMLUListElement>) {
    const all = links();
    const index = all.indexOf(document.activeElement as HTMLAnchorElement);
    if (index < 0) return;
    let next: HTMLElement | undefined;
    if (event.key === 'ArrowDown') next = all[Math.min(index + 1, all.length - 1)];
    else if (event.key === 'ArrowUp') next = index === 0 ? (inputRef.current ?? undefined) : all[index - 1];
    else if (event.key === 'Home') next = all[0];
    else if (event.key === 'End') next = all[all.length - 1];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  }

  const searching = text.trim() !== term || (list.isFetching && list.isPlaceholderData);
  let status: string;
  if (list.isPending) status = 'Loading patients…';
  else if (searching) status = 'Searching…';
  else if (items.length === 0) status = term ? `No patients match “${term}”.` : 'No patients yet.';
  else
    status = `${patientCountText(items.length, Boolean(list.data?.nextCursor), term)}. Press the down arrow to move to the results.`;

  return (
    <main id="main" className="page">
      <div className="page__header page__header--row">
        <h1>Patients</h1>
        <Link to="/patients/new" className="button-primary">
          Add patient
        </Link>
      </div>

      <div role="search" className="patient-search" aria-label="Patients">
        <div className="field">
          <label htmlFor={`${id}-q`}>Search patients</label>
          <input
            ref={inputRef}
            id={`${id}-q`}
            type="search"
            autoComplete="off"
            spellCheck={false}
            placeholder="Name, phone or email"
            aria-describedby={`${id}-status`}
            aria-controls={`${id}-results`}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onInputKeyDown}
          />
          <p id={`${id}-status`} className="field__hint" role="status">
            {status}
          </p>
        </div>
      </div>

      {list.isError && !list.data ? (
        <ErrorNotice error={list.error} title="Could not load patients" onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Skeleton lines={6} label="Loading patients…" />
      ) : items.length === 0 ? (
        <div className="empty-state">
          <h2>{term ? 'No matching patients' : 'No patients yet'}</h2>
          <p>{term ? 'Check the spelling, try a phone number or email, or add them as a new patient.' : 'Add the first one.'}</p>
          <Link to="/patients/new" className="button-primary">
            Add patient
          </Link>
        </div>
      ) : (
        <>
          <ul
            id={`${id}-results`}
            ref={listRef}
            className="patient-list"
            aria-label="Patients found"
            aria-busy={searching}
            onKeyDown={onListKeyDown}
          >
            {items.map((p) => (
              <li key={p.id} className="patient-row">
                <Link className="patient-row__link" to={`/patients/${encodeURIComponent(p.id)}`}>
                  <span className="patient-row__name">{patientDisplayName(p)}</span>
                  <span className="patient-row__meta">{describe(p, country)}</span>
                </Link>
                <span className="patient-row__badges">
                  {p.allergyAlert && <span className="badge badge--alert">Allergy alert</span>}
                  {p.status === 'archived' && <span className="status">Archived</span>}
                </span>
              </li>
            ))}
          </ul>
          {list.data?.nextCursor && (
            <p className="muted">Showing the first {PATIENT_LIST_LIMIT}. Type more of the name to narrow the list.</p>
          )}
        </>
      )}
    </main>
  );
}
