import { useEffect, useId, useRef, useState } from 'react';
import { isApiError } from '../../lib/api';
import { toastSuccess } from '../../lib/toast';
import { ALLERGY_SEVERITIES, type Allergy, type PatientRecord } from '../../lib/types';
import { useUpdatePatient } from '../../api/patients';

type Medication = { name: string; dose?: string };
type Condition = { name: string; notes?: string };

export interface MedicalHistoryChanges {
  allergies: Allergy[];
  medications: Medication[];
  conditions: Condition[];
}

/** Rows as typed → the PATCH body: trimmed, blank rows dropped, blank optional parts left out. */
export function toMedicalHistory(rows: MedicalHistoryChanges): MedicalHistoryChanges {
  return {
    allergies: rows.allergies
      .map((a) => ({ substance: a.substance.trim(), severity: a.severity }))
      .filter((a) => a.substance !== ''),
    medications: rows.medications
      .map((m) => ({ name: m.name.trim(), dose: (m.dose ?? '').trim() }))
      .filter((m) => m.name !== '')
      .map((m) => (m.dose ? m : { name: m.name })),
    conditions: rows.conditions
      .map((c) => ({ name: c.name.trim(), notes: (c.notes ?? '').trim() }))
      .filter((c) => c.name !== '')
      .map((c) => (c.notes ? c : { name: c.name })),
  };
}

const SEVERITY_TEXT: Record<string, string> = {
  mild: 'Mild',
  moderate: 'Moderate',
  severe: 'Severe',
  'life-threatening': 'Life-threatening',
};

/** Add, change and remove allergies, medications and conditions; saves with one PATCH. */
export function MedicalHistoryEditor({ patient, onDone }: { patient: PatientRecord; onDone: () => void }) {
  const id = useId();
  const update = useUpdatePatient(patient.id);
  const [allergies, setAllergies] = useState<Allergy[]>(() => (patient.allergies ?? []).map((a) => ({ ...a })));
  const [medications, setMedications] = useState<Medication[]>(() => (patient.medications ?? []).map((m) => ({ ...m })));
  const [conditions, setConditions] = useState<Condition[]>(() => (patient.conditions ?? []).map((c) => ({ ...c })));
  const [error, setError] = useState<{ message: string; requestId: string; fields: string[] } | null>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const focusNext = useRef<string | null>(null);

  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  useEffect(() => {
    // After "Add", the new row's first input takes focus.
    if (focusNext.current) {
      document.getElementById(focusNext.current)?.focus();
      focusNext.current = null;
    }
  });

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await update.mutateAsync(toMedicalHistory({ allergies, medications, conditions }));
      toastSuccess('Medical history saved.');
      onDone();
    } catch (err) {
      if (isApiError(err)) {
        setError({ message: err.message, requestId: err.requestId, fields: err.fields.map((f) => `${f.field}: ${f.message}`) });
      } else {
        setError({ message: 'Could not save. Please try again.', requestId: '', fields: [] });
      }
    }
  }

  function set<T>(list: T[], setList: (v: T[]) => void, index: number, change: Partial<T>) {
    setList(list.map((row, i) => (i === index ? { ...row, ...change } : row)));
  }

  return (
    <form className="medical-editor" aria-label="Edit medical history" onSubmit={(e) => void save(e)} noValidate>
      {error && (
        <div ref={errorRef} tabIndex={-1} className="form-error" role="alert">
          <p>
            {error.message}
            {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
          </p>
          {error.fields.length > 0 && (
            <ul>
              {error.fields.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          )}
        </div>
      )}

      <fieldset className="fieldset">
        <legend>Allergies</legend>
        {allergies.length === 0 && <p className="muted">No allergies listed.</p>}
        {allergies.map((a, i) => (
          <div key={i} className="medical-editor__row pol-history-row">
            <div className="field">
              <label htmlFor={`${id}-a${i}-s`}>
                Substance{' '}<span className="visually-hidden">(allergy {i + 1})</span>
              </label>
              <input
                id={`${id}-a${i}-s`}
                value={a.substance}
                maxLength={200}
                onChange={(e) => set(allergies, setAllergies, i, { substance: e.target.value })}
              />
            </div>
            <div className="field pol-severity">
              <label htmlFor={`${id}-a${i}-v`}>
                Severity{' '}<span className="visually-hidden">(allergy {i + 1})</span>
              </label>
              <select
                id={`${id}-a${i}-v`}
                value={a.severity}
                onChange={(e) => set(allergies, setAllergies, i, { severity: e.target.value })}
              >
                {ALLERGY_SEVERITIES.map((s) => (
                  <option key={s} value={s}>
                    {SEVERITY_TEXT[s]}
                  </option>
                ))}
              </select>
            </div>
            <button type="button" className="button-ghost" onClick={() => setAllergies(allergies.filter((_, j) => j !== i))}>
              Remove{' '}<span className="visually-hidden">allergy {i + 1}</span>
            </button>
          </div>
        ))}
        <div>
          <button
            type="button"
            className="button-secondary"
            onClick={() => {
              focusNext.current = `${id}-a${allergies.length}-s`;
              setAllergies([...allergies, { substance: '', severity: 'moderate' }]);
            }}
          >
            Add allergy
          </button>
        </div>
      </fieldset>

      <fieldset className="fieldset">
        <legend>Medications</legend>
        {medications.length === 0 && <p className="muted">No medications listed.</p>}
        {medications.map((m, i) => (
          <div key={i} className="medical-editor__row pol-history-row">
            <div className="field">
              <label htmlFor={`${id}-m${i}-n`}>
                Medication{' '}<span className="visually-hidden">{i + 1}</span>
              </label>
              <input
                id={`${id}-m${i}-n`}
                value={m.name}
                maxLength={200}
                onChange={(e) => set(medications, setMedications, i, { name: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={`${id}-m${i}-d`}>
                Dose{' '}<span className="visually-hidden">(medication {i + 1})</span>
              </label>
              <input
                id={`${id}-m${i}-d`}
                value={m.dose ?? ''}
                maxLength={200}
                onChange={(e) => set(medications, setMedications, i, { dose: e.target.value })}
              />
            </div>
            <button type="button" className="button-ghost" onClick={() => setMedications(medications.filter((_, j) => j !== i))}>
              Remove{' '}<span className="visually-hidden">medication {i + 1}</span>
            </button>
          </div>
        ))}
        <div>
          <button
            type="button"
            className="button-secondary"
            onClick={() => {
              focusNext.current = `${id}-m${medications.length}-n`;
              setMedications([...medications, { name: '', dose: '' }]);
            }}
          >
            Add medication
          </button>
        </div>
      </fieldset>

      <fieldset className="fieldset">
        <legend>Conditions</legend>
        {conditions.length === 0 && <p className="muted">No conditions listed.</p>}
        {conditions.map((c, i) => (
          <div key={i} className="medical-editor__row pol-history-row">
            <div className="field">
              <label htmlFor={`${id}-c${i}-n`}>
                Condition{' '}<span className="visually-hidden">{i + 1}</span>
              </label>
              <input
                id={`${id}-c${i}-n`}
                value={c.name}
                maxLength={200}
                onChange={(e) => set(conditions, setConditions, i, { name: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={`${id}-c${i}-o`}>
                Notes{' '}<span className="visually-hidden">(condition {i + 1})</span>
              </label>
              <input
                id={`${id}-c${i}-o`}
                value={c.notes ?? ''}
                maxLength={500}
                onChange={(e) => set(conditions, setConditions, i, { notes: e.target.value })}
              />
            </div>
            <button type="button" className="button-ghost" onClick={() => setConditions(conditions.filter((_, j) => j !== i))}>
              Remove{' '}<span className="visually-hidden">condition {i + 1}</span>
            </button>
          </div>
        ))}
        <div>
          <button
            type="button"
            className="button-secondary"
            onClick={() => {
              focusNext.current = `${id}-c${conditions.length}-n`;
              setConditions([...conditions, { name: '', notes: '' }]);
            }}
          >
            Add condition
          </button>
        </div>
      </fieldset>

      <div className="button-row">
        <button type="submit" className="button-primary" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save medical history'}
        </button>
        <button type="button" className="button-secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
