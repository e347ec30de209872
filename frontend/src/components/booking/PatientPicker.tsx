import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { isApiError } from '../../lib/api';
import { patientDisplayName, type PatientSummary } from '../../lib/types';
import { useDebouncedValue } from '../../lib/useDebouncedValue';
import { NewPatientForm } from './NewPatientForm';
import { usePatientSearch } from '../../api/patients';

export const SEARCH_DEBOUNCE_MS = 250;

export interface PickedPatient {
  id: string;
  label: string;
  allergyAlert?: boolean;
}

export interface PatientPickerProps {
  value: PickedPatient | null;
  onChange: (patient: PickedPatient | null) => void;
  error?: string | undefined;
}

function describe(p: PatientSummary): string {
  return [p.dateOfBirth && `born ${p.dateOfBirth}`, p.phone].filter(Boolean).join(' · ');
}

/**
 * Finds a patient by name, phone or email: a combobox (ARIA 1.2 pattern) over
 * `/api/patients?q=`, debounced. When the server has no patients API yet, it
 * falls back to typing the patient's id.
 */
export function PatientPicker({ value, onChange, error }: PatientPickerProps) {
  const id = useId();
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [manualId, setManualId] = useState('');
  const [creating, setCreating] = useState(false);
  const term = useDebouncedValue(text, SEARCH_DEBOUNCE_MS);
  const search = usePatientSearch(term);
  const results = search.data ?? [];
  const unavailable = isApiError(search.error) && (search.error.isMissingRoute || search.error.status === 403);
  const inputRef = useRef<HTMLInputElement>(null);
  const manualRef = useRef<HTMLInputElement>(null);
  const changeRef = useRef<HTMLButtonElement>(null);
  const hadFocus = useRef(false);
  const mode = value ? 'picked' : unavailable ? 'manual' : creating ? 'new' : 'search';

  // Keep focus in the picker when it switches between its modes.
  useEffect(() => {
    if (!hadFocus.current) return;
    hadFocus.current = false;
    if (mode === 'search') inputRef.current?.focus();
    if (mode === 'manual') manualRef.current?.focus();
    if (mode === 'picked') changeRef.current?.focus();
  }, [mode]);

  const inputId = `${id}-search`;
  const listId = `${id}-list`;
  const statusId = `${id}-status`;
  const optionId = (i: number) => `${id}-opt-${i}`;
  const showList = open && term.trim().length >= 2 && results.length > 0 && !unavailable;

  function pick(p: PatientSummary) {
    hadFocus.current = true;
    onChange({ id: p.id, label: patientDisplayName(p), allergyAlert: p.allergyAlert });
    setOpen(false);
    setActive(-1);
    setText('');
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((i) => (results.length ? (i + 1) % results.length : -1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(true);
      setActive((i) => (results.length ? (i <= 0 ? results.length - 1 : i - 1) : -1));
    } else if (event.key === 'Enter') {
      if (showList && active >= 0 && results[active]) {
        event.preventDefault();
        pick(results[active]);
      }
    } else if (event.key === 'Escape') {
      if (showList) {
        // Close the list only; a second Escape closes the dialog.
        event.preventDefault();
        event.stopPropagation();
        setOpen(false);
        setActive(-1);
      }
    }
  }

  if (value) {
    return (
      <div className="field">
        <span className="field__label" id={`${id}-picked-label`}>
          Patient
        </span>
        <div className="picked" aria-labelledby={`${id}-picked-label`} role="group">
          <strong>{value.label}</strong>
          {value.allergyAlert && <span className="badge badge--alert">Allergy alert</span>}
          <button
            ref={changeRef}
            type="button"
            className="button-ghost"
            onClick={() => {
              hadFocus.current = true;
              onChange(null);
            }}
          >
            Change patient
          </button>
        </div>
      </div>
    );
  }

  if (unavailable) {
    return (
      <div className="field">
        <label htmlFor={`${id}-manual`}>Patient ID</label>
        <input
          ref={manualRef}
          id={`${id}-manual`}
          value={manualId}
          onChange={(e) => setManualId(e.target.value)}
          onBlur={() => {
            // Leaving the field is not a reason to move focus.
            if (manualId.trim()) onChange({ id: manualId.trim(), label: `Patient ${manualId.trim()}` });
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && manualId.trim()) {
              e.preventDefault();
              hadFocus.current = true;
              onChange({ id: manualId.trim(), label: `Patient ${manualId.trim()}` });
            }
          }}
          aria-describedby={`${id}-manual-hint`}
          aria-invalid={error ? true : undefined}
          autoComplete="off"
        />
        <p id={`${id}-manual-hint`} className="field__hint">
          Patient search is not available on this server yet. Enter the patient’s ID from their record.
        </p>
        {error && <p className="field__error">{error}</p>}
      </div>
    );
  }

  if (creating) {
    return (
      <NewPatientForm
        initialText={text}
        onCreated={(p) => {
          setCreating(false);
          pick(p);
        }}
        onCancel={() => {
          hadFocus.current = true;
          setCreating(false);
        }}
      />
    );
  }

  const noMatch = term.trim().length >= 2 && !search.isFetching && !search.isError && results.length === 0;
  let status = '';
  if (term.trim().length < 2) status = 'Type at least 2 letters of a name, or a phone number or email.';
  else if (search.isFetching && !search.data) status = 'Searching…';
  else if (search.isError) status = `Search failed: ${search.error.message}`;
  else if (results.length === 0) status = 'No patients match. Check the spelling or try a phone number.';
  else status = `${results.length} patient${results.length === 1 ? '' : 's'} found. Use the arrow keys to choose.`;

  return (
    <div className="field combobox">
      <label htmlFor={inputId}>Patient</label>
      <input
        ref={inputRef}
        id={inputId}
        type="search"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={showList && active >= 0 ? optionId(active) : undefined}
        aria-describedby={statusId}
        aria-invalid={error ? true : undefined}
        autoComplete="off"
        value={text}
        onChange={(e) => {
          hadFocus.current = true;
          setText(e.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onKeyDown={onKeyDown}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        placeholder="Name, phone or email"
      />
      <p id={statusId} className="field__hint" aria-live="polite">
        {status}
      </p>
      {error && <p className="field__error">{error}</p>}
      {noMatch && (
        <button type="button" className="button-secondary fd-new-patient__open" onClick={() => setCreating(true)}>
          New patient
        </button>
      )}
      <ul id={listId} role="listbox" aria-label="Matching patients" className="combobox__list" hidden={!showList}>
        {results.map((p, i) => (
          <li
            key={p.id}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            className={`combobox__option${i === active ? ' combobox__option--active' : ''}`}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => pick(p)}
          >
            <span className="combobox__name">{patientDisplayName(p)}</span>
            <span className="combobox__meta">{describe(p)}</span>
            {p.allergyAlert && <span className="badge badge--alert">Allergy alert</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
