import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { searchClinics, type ClinicListing } from '../../api/clinics';
import { useDebouncedValue } from '../../lib/useDebouncedValue';

export const PRACTICE_SEARCH_DEBOUNCE_MS = 250;

/**
 * The sign-up form's practice field when no sign-up link named one: type
 * part of the practice's name, choose it from the list (an ARIA 1.2
 * combobox: arrows move, Enter chooses, Escape closes). Typing again after
 * a choice clears it, so what is sent is always a practice from the list.
 */
export function PracticePicker({
  value,
  onChange,
  error,
}: {
  value: ClinicListing | null;
  onChange: (c: ClinicListing | null) => void;
  error?: string | undefined;
}) {
  const id = useId();
  const [text, setText] = useState(value?.name ?? '');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [items, setItems] = useState<ClinicListing[]>([]);
  const [status, setStatus] = useState<'idle' | 'loading' | 'done' | 'failed'>('idle');
  const term = useDebouncedValue(text, PRACTICE_SEARCH_DEBOUNCE_MS).trim();

  useEffect(() => {
    if (value && term === value.name) return;
    if (term.length < 2) {
      setItems([]);
      setStatus('idle');
      return;
    }
    const ctl = new AbortController();
    setStatus('loading');
    searchClinics(term, ctl.signal)
      .then((list) => {
        setItems(list);
        setActive(list.length ? 0 : -1);
        setStatus('done');
      })
      .catch(() => {
        if (!ctl.signal.aborted) setStatus('failed');
      });
    return () => ctl.abort();
  }, [term, value]);

  function choose(c: ClinicListing) {
    onChange(c);
    setText(c.name);
    setOpen(false);
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown' && items.length) {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, items.length - 1));
    } else if (e.key === 'ArrowUp' && items.length) {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Enter' && open && active >= 0 && items[active]) {
      e.preventDefault();
      choose(items[active]);
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  }

  const listId = `${id}-list`;
  const showList = open && !value && items.length > 0;
  const hint =
    status === 'loading'
      ? 'Searching…'
      : status === 'failed'
        ? 'Could not search just now. Try again in a moment.'
        : status === 'done' && !items.length && !value
          ? 'No practice by that name. Check the spelling, or ask your practice for its sign-up link.'
          : value
            ? `You are signing up with ${value.name}.`
            : 'Type part of its name, then choose it from the list.';
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ');

  return (
    <div className="field practice-picker">
      <label htmlFor={id}>Your dental practice</label>
      <input
        id={id}
        name="practice"
        type="text"
        role="combobox"
        autoComplete="off"
        required
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={showList && active >= 0 ? `${id}-opt-${active}` : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          if (value) onChange(null);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <p id={`${id}-hint`} className="field__hint" aria-live="polite">
        {hint}
      </p>
      {error && (
        <p id={`${id}-error`} className="field__error">
          {error}
        </p>
      )}
      <ul id={listId} role="listbox" aria-label="Practices" className="practice-picker__list" hidden={!showList}>
        {items.map((c, i) => (
          <li
            key={c.slug}
            id={`${id}-opt-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'practice-picker__option practice-picker__option--active' : 'practice-picker__option'}
            // mousedown, not click: the input's blur would close the list first.
            onMouseDown={(e) => {
              e.preventDefault();
              choose(c);
            }}
          >
            {c.name}
          </li>
        ))}
      </ul>
    </div>
  );
}
