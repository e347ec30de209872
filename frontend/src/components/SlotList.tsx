import { useId } from 'react';
import { formatTime } from '../lib/time';
import type { Operatory, Provider, Slot } from '../lib/types';

/** Shown when someone else booked the chosen time first (HTTP 409). */
export const SLOT_TAKEN_MESSAGE = 'That slot was just taken — pick another';

export function slotKey(slot: Slot): string {
  return `${slot.start}|${slot.providerId}|${slot.operatoryId}`;
}

/** One slot per provider and start time (the first free chair wins), sorted by time. */
export function dedupeSlots(slots: readonly Slot[]): Slot[] {
  const seen = new Set<string>();
  const out: Slot[] = [];
  for (const s of [...slots].sort((a, b) => a.start.localeCompare(b.start))) {
    const k = `${s.providerId}|${s.start}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(s);
  }
  return out;
}

export interface SlotListProps {
  slots: readonly Slot[];
  selected: string | null;
  onSelect: (slot: Slot) => void;
  providers: readonly Provider[];
  operatories: readonly Operatory[];
  timeZone: string;
  legend: string;
  /** Group under a heading per provider (front desk) or one flat list (portal). */
  groupByProvider?: boolean;
  /** Show the provider's name on each time (portal). */
  showProvider?: boolean;
}

/**
 * Free times as native radio buttons: one Tab stop, arrow keys move between
 * times, and screen readers announce "9:15 AM, radio button, 3 of 24".
 */
export function SlotList({
  slots,
  selected,
  onSelect,
  providers,
  operatories,
  timeZone,
  legend,
  groupByProvider = true,
  showProvider = false,
}: SlotListProps) {
  const name = useId();
  const providerById = new Map(providers.map((p) => [p.id, p]));
  const operatoryById = new Map(operatories.map((o) => [o.id, o]));
  const unique = dedupeSlots(slots);

  const groups: { provider: Provider | undefined; providerId: string; slots: Slot[] }[] = [];
  if (groupByProvider) {
    for (const s of unique) {
      let g = groups.find((x) => x.providerId === s.providerId);
      if (!g) {
        g = { provider: providerById.get(s.providerId), providerId: s.providerId, slots: [] };
        groups.push(g);
      }
      g.slots.push(s);
    }
  } else {
    groups.push({ provider: undefined, providerId: '', slots: unique });
  }

  const renderSlot = (s: Slot) => {
    const key = slotKey(s);
    const provider = providerById.get(s.providerId);
    const chair = operatoryById.get(s.operatoryId)?.name;
    return (
      <label key={key} className={`slot${selected === key ? ' slot--selected' : ''}`}>
        <input
          type="radio"
          name={name}
          value={key}
          checked={selected === key}
          onChange={() => onSelect(s)}
          className="slot__input"
        />
        <span className="slot__time">{formatTime(s.start, timeZone)}</span>
        {showProvider && provider && <span className="slot__meta">{provider.name}</span>}
        {!showProvider && chair && <span className="slot__meta visually-hidden">{`, ${chair}`}</span>}
      </label>
    );
  };

  return (
    <fieldset className="slot-list">
      <legend>{legend}</legend>
      {groups.map((g) =>
        groupByProvider ? (
          <fieldset key={g.providerId} className="slot-list__group">
            <legend className="slot-list__provider">
              <span
                className="swatch"
                aria-hidden="true"
                style={{ background: g.provider?.colour ?? 'var(--color-border)' }}
              />
              {g.provider?.name ?? 'Provider'}
              <span className="slot-list__count"> · {g.slots.length} free</span>
            </legend>
            <div className="slot-list__times">{g.slots.map(renderSlot)}</div>
          </fieldset>
        ) : (
          <div key="all" className="slot-list__times">
            {g.slots.map(renderSlot)}
          </div>
        ),
      )}
    </fieldset>
  );
}
