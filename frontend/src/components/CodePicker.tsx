import { useId, useRef, useState, type KeyboardEvent } from 'react';
import { CATEGORY_LABELS, PROCEDURE_CATEGORIES, useProcedureCodes, type ProcedureCode } from '../api/procedureCodes';
import { formatMoney } from '../api/plans';
import { useDebouncedValue } from '../lib/useDebouncedValue';

export const CODE_SEARCH_DEBOUNCE_MS = 200;

/**
 * Finds a procedure in the fee schedule by code or words, optionally within
 * a category: a combobox (ARIA 1.2 pattern) over `/api/procedure-codes`.
 * Picking one hands it to `onPick` and clears the search for the next.
 */
export function CodePicker({ onPick, currency }: { onPick: (code: ProcedureCode) => void; currency: string }) {
  const id = useId();
  const [text, setText] = useState('');
  const [category, setCategory] = useState('');
  const [open, setOpen] = useState(false);
  const closeTimer = useRef<number | undefined>(undefined);
  const [active, setActive] = useState(-1);
  const term = useDebouncedValue(text, CODE_SEARCH_DEBOUNCE_MS);
  const searching = term.trim().length >= 1 || category !== '';
  const codes = useProcedureCodes(searching ? term : '', category);
  const results = searching ? (codes.data ?? []).slice(0, 30) : [];
  const inputRef = useRef<HTMLInputElement>(null);

  const inputId = `${id}-search`;
  const listId = `${id}-list`;
  const statusId = `${id}-status`;
  const optionId = (i: number) => `${id}-opt-${i}`;
  const showList = open && results.length > 0;

  function pick(code: ProcedureCode) {
    onPick(code);
    setText('');
    setOpen(false);
    setActive(-1);
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
      event.preventDefault(); // never submits the plan from the search box
      const chosen = active >= 0 ? results[active] : results.length === 1 ? results[0] : undefined;
      if (showList && chosen) pick(chosen);
    } else if (event.key === 'Escape' && showList) {
      event.preventDefault();
      event.stopPropagation();
      setOpen(false);
      setActive(-1);
    }
  }

  let status: string;
  if (!searching) status = 'Type a code or a word (for example “crown”), or choose a category.';
  else if (codes.isError) status = `The fee schedule could not be searched: ${codes.error.message}`;
  else if (codes.isFetching && !codes.data) status = 'Searching the fee schedule…';
  else if (results.length === 0) status = 'No procedures match. Try another word or category.';
  else status = `${results.length} procedure${results.length === 1 ? '' : 's'} found. Use the arrow keys and Enter to add one.`;

  return (
    <div className="plan-picker">
      <div className="field plan-picker__category">
        <label htmlFor={`${id}-category`}>Category</label>
        <select
          id={`${id}-category`}
          value={category}
          onChange={(e) => {
            setCategory(e.target.value);
            setOpen(true);
            setActive(-1);
          }}
        >
          <option value="">All categories</option>
          {PROCEDURE_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {CATEGORY_LABELS[c]}
            </option>
          ))}
        </select>
      </div>
      <div className="field combobox plan-picker__search">
        <label htmlFor={inputId}>Add a procedure</label>
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
          autoComplete="off"
          placeholder="Code or description"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setOpen(true);
            setActive(-1);
          }}
          onKeyDown={onKeyDown}
          onFocus={() => {
            // A close still pending from the last blur must not shut the list now.
            window.clearTimeout(closeTimer.current);
            setOpen(true);
          }}
          onBlur={() => {
            closeTimer.current = window.setTimeout(() => setOpen(false), 150);
          }}
        />
        <p id={statusId} className="field__hint" aria-live="polite">
          {status}
        </p>
        <ul id={listId} role="listbox" aria-label="Procedures in the fee schedule" className="combobox__list" hidden={!showList}>
          {results.map((c, i) => (
            <li
              key={c.id || c.code}
              id={optionId(i)}
              role="option"
              aria-selected={i === active}
              className={`combobox__option${i === active ? ' combobox__option--active' : ''}`}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(c)}
            >
              <span className="combobox__name">
                {c.code} {c.description}
              </span>
              <span className="combobox__meta">
                {CATEGORY_LABELS[c.category] ?? c.category} · {formatMoney(c.feeCents, currency)}
              </span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
