import { useId } from 'react';
import { formatTime } from '../../lib/time';
import type { Provider, Slot } from '../../lib/types';
import { slotKey } from '../../components/SlotList';
import { DAY_PARTS, type DayPart, groupByDayPart } from './timePicker';

export interface TimePickerProps {
  /** The day's times, already narrowed to one provider or collapsed for "any". */
  slots: readonly Slot[];
  selected: Slot | null;
  onSelect: (slot: Slot) => void;
  /** Which parts of the day are expanded. */
  open: Record<DayPart, boolean>;
  onToggle: (part: DayPart) => void;
  providers: readonly Provider[];
  timeZone: string;
  /** e.g. "Thursday, December 3". */
  dayLabel: string;
  showProvider: boolean;
}

/**
 * A phone-sized time picker: Morning / Afternoon / Evening, each a
 * disclosure with its count, the times inside as native radios.
 */
export function TimePicker({ slots, selected, onSelect, open, onToggle, providers, timeZone, dayLabel, showProvider }: TimePickerProps) {
  const id = useId();
  const groups = groupByDayPart(slots, timeZone);
  const selectedKey = selected ? slotKey(selected) : null;
  const providerById = new Map(providers.map((p) => [p.id, p]));

  return (
    <div className="pb-parts" role="group" aria-label={`Times on ${dayLabel}`}>
      {DAY_PARTS.map(({ part, label }) => {
        const list = groups[part];
        const count = `${list.length} time${list.length === 1 ? '' : 's'}`;
        const panelId = `${id}-${part}`;
        const expanded = list.length > 0 && open[part];
        return (
          <section key={part} className="pb-part">
            <h3 className="pb-part__title">
              <button
                type="button"
                className="pb-part__toggle"
                aria-expanded={expanded}
                aria-controls={panelId}
                disabled={list.length === 0}
                onClick={() => onToggle(part)}
              >
                <span className="pb-part__chevron" aria-hidden="true">
                  {expanded ? '▾' : '▸'}
                </span>
                <span>{label}</span>
                <span className="pb-part__count">{list.length === 0 ? 'none free' : count}</span>
              </button>
            </h3>
            <div id={panelId} hidden={!expanded}>
              {expanded && (
                <fieldset className="pb-part__times">
                  <legend className="visually-hidden">
                    {label} times on {dayLabel}
                  </legend>
                  {list.map((s) => {
                    const key = slotKey(s);
                    const provider = providerById.get(s.providerId);
                    return (
                      <label key={key} className={`slot pb-slot${selectedKey === key ? ' slot--selected' : ''}`}>
                        <input
                          type="radio"
                          name={`${id}-${part}-time`}
                          value={key}
                          checked={selectedKey === key}
                          onChange={() => onSelect(s)}
                          className="slot__input"
                        />
                        <span className="slot__time">{formatTime(s.start, timeZone)}</span>
                        {showProvider && provider && <span className="slot__meta">{provider.name}</span>}
                      </label>
                    );
                  })}
                </fieldset>
              )}
            </div>
          </section>
        );
      })}
    </div>
  );
}
