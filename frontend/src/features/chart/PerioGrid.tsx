import { Fragment, memo, useId, useMemo, useRef, useState, type ChangeEvent, type KeyboardEvent } from 'react';
import { toothInfo, toothLabel, type Numbering } from '../../lib/teeth';
import { usePerioDraftStore } from './perioDraft';
import {
  cellKey,
  DEEP_MM,
  perioSequence,
  readKey,
  sitesAsDrawn,
  type PerioCell,
  type PerioDraft,
  type PerioPass,
  type Prefix,
  type SiteDraft,
} from './perioModel';

const UPPER_TEETH = Array.from({ length: 16 }, (_, i) => String(i + 1)); // drawn 1…16
const LOWER_TEETH = Array.from({ length: 16 }, (_, i) => String(32 - i)); // drawn 32…17
const EMPTY: PerioDraft = {};
const EMPTY_SITE: SiteDraft = {};
const GRADES = [0, 1, 2, 3];

type ArchName = 'upper' | 'lower';
const ROW_ORDER = (['upper', 'lower'] as const).flatMap((a) =>
  (['facial', 'lingual'] as const).flatMap((s) => (['depth', 'margin'] as const).map((p) => `${a}-${s}-${p}`)),
);

export interface PerioGridProps {
  patientId: string;
  numbering: Numbering;
  /** Teeth the chart says are missing: skipped. */
  missing: ReadonlySet<string>;
  /** Where focus goes after the last margin (the Save button). */
  onDone?: () => void;
  /** Site errors from the server, by cell key ("depth:3:MB"). */
  invalid?: ReadonlySet<string>;
}

/** The perio grid: see perioModel for the order and the keys. */
export function PerioGrid({ patientId, numbering, missing, onDone, invalid }: PerioGridProps) {
  const id = useId();
  const draft = usePerioDraftStore((s) => s.drafts[patientId] ?? EMPTY);
  const setSite = usePerioDraftStore((s) => s.setSite);
  const setTooth = usePerioDraftStore((s) => s.setTooth);
  const sequence = useMemo(() => perioSequence(missing), [missing]);
  const position = useMemo(() => new Map(sequence.map((c, i) => [`${c.tooth}:${c.site}`, i])), [sequence]);
  const inputs = useRef(new Map<string, HTMLInputElement>());
  const [prefix, setPrefix] = useState<{ key: string; prefix: Prefix } | null>(null);
  const [message, setMessage] = useState('');
  const gridRef = useRef<HTMLDivElement>(null);

  function focusCell(pass: PerioPass, cell: PerioCell | undefined) {
    if (!cell) return;
    const el = inputs.current.get(cellKey(pass, cell));
    el?.focus();
    el?.select();
  }

  function step(pass: PerioPass, cell: PerioCell, by: 1 | -1) {
    const i = position.get(`${cell.tooth}:${cell.site}`) ?? 0;
    const j = i + by;
    if (j >= 0 && j < sequence.length) return focusCell(pass, sequence[j]);
    // Off the end of the depths: on to the margins; off the end of the margins: done.
    if (by === 1 && pass === 'depth') return focusCell('margin', sequence[0]);
    if (by === 1 && pass === 'margin') return onDone?.();
    if (by === -1 && pass === 'margin') return focusCell('depth', sequence[sequence.length - 1]);
  }

  function moveSpatial(el: HTMLInputElement, key: string) {
    const row = el.dataset.row!;
    const col = Number(el.dataset.col);
    const grid = gridRef.current;
    if (!grid) return;
    const find = (r: string, c: number) => grid.querySelector<HTMLInputElement>(`input[data-row="${r}"][data-col="${c}"]`);
    if (key === 'ArrowLeft' || key === 'ArrowRight') {
      const dir = key === 'ArrowRight' ? 1 : -1;
      for (let c = col + dir; c >= 0 && c < 48; c += dir) {
        const next = find(row, c);
        if (next) return next.focus();
      }
    } else {
      const dir = key === 'ArrowDown' ? 1 : -1;
      for (let r = ROW_ORDER.indexOf(row) + dir; r >= 0 && r < ROW_ORDER.length; r += dir) {
        const next = find(ROW_ORDER[r]!, col);
        if (next) return next.focus();
      }
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>, pass: PerioPass, cell: PerioCell) {
    const key = event.key;
    if (key === 'Tab' || event.ctrlKey || event.metaKey || event.altKey) return;
    event.preventDefault();
    handleKey(key, pass, cell, event.currentTarget);
  }

  function handleKey(key: string, pass: PerioPass, cell: PerioCell, el: HTMLInputElement) {
    const k = cellKey(pass, cell);
    const label = `${toothLabel(cell.tooth, numbering)} ${cell.site}`;
    const pending = prefix?.key === k ? prefix.prefix : null;
    if (key === 'b' || key === 'B' || key === 's' || key === 'S') {
      const field = key.toLowerCase() === 'b' ? 'bleeding' : 'suppuration';
      const now = !draft[cell.tooth]?.sites[cell.site]?.[field];
      setSite(patientId, cell.tooth, cell.site, { [field]: now });
      setMessage(`${label}: ${field} ${now ? 'on' : 'off'}.`);
      return;
    }
    if (key === 'Backspace') {
      if (pending) return setPrefix(null);
      setPrefix(null);
      return step(pass, cell, -1);
    }
    if (key === 'Delete') {
      setPrefix(null);
      setSite(patientId, cell.tooth, cell.site, { [pass]: undefined });
      return;
    }
    if (key === 'Enter' || key === ' ') {
      setPrefix(null);
      return step(pass, cell, 1);
    }
    if (key.startsWith('Arrow')) {
      setPrefix(null);
      return moveSpatial(el, key);
    }
    const result = readKey(key, pass, pending);
    if (result.kind === 'prefix') {
      setPrefix({ key: k, prefix: result.prefix });
      setMessage('');
    } else if (result.kind === 'reject') {
      setPrefix(null);
      setMessage(result.message);
    } else if (result.kind === 'store') {
      setPrefix(null);
      setSite(patientId, cell.tooth, cell.site, { [pass]: result.value });
      setMessage('');
      step(pass, cell, 1);
    }
  }

  /** Virtual keyboards send no usable keydown: read what was typed into the field instead. */
  function onChange(event: ChangeEvent<HTMLInputElement>, pass: PerioPass, cell: PerioCell) {
    const typed = event.target.value.slice(-1);
    if (typed) handleKey(typed, pass, cell, event.target);
  }

  // Stable handlers for the memoised cells: a keystroke re-renders the cell it changed, not all 384.
  const latest = useRef({ onKeyDown, onChange });
  latest.current = { onKeyDown, onChange };
  const handlers = useMemo<CellHandlers>(
    () => ({
      keyDown: (e, pass, cell) => latest.current.onKeyDown(e, pass, cell),
      change: (e, pass, cell) => latest.current.onChange(e, pass, cell),
      register: (k, el) => {
        if (el) inputs.current.set(k, el);
        else inputs.current.delete(k);
      },
    }),
    [],
  );

  const arches: { name: ArchName; title: string; teeth: string[] }[] = [
    { name: 'upper', title: 'Upper arch', teeth: UPPER_TEETH },
    { name: 'lower', title: 'Lower arch', teeth: LOWER_TEETH },
  ];

  return (
    <div className="perio-grid" ref={gridRef}>
      <p className="perio-grid__status" role="status" aria-live="polite">
        {message}
      </p>
      {arches.map((arch) => (
        <div key={arch.name} className="perio-scroll" role="region" aria-labelledby={`${id}-${arch.name}`} tabIndex={-1}>
          <table className="perio-table">
            <caption id={`${id}-${arch.name}`} className="perio-table__caption">
              {arch.title} <span className="muted">(patient’s right on the left)</span>
            </caption>
            <thead>
              <tr>
                <th scope="col" className="perio-table__rowhead">
                  Tooth
                </th>
                {arch.teeth.map((t) => (
                  <th key={t} scope="colgroup" colSpan={3} className={missing.has(t) ? 'perio-table__tooth perio-table__tooth--missing' : 'perio-table__tooth'}>
                    {toothLabel(t, numbering)}
                    {missing.has(t) && <span className="perio-missing"> missing</span>}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {(['facial', 'lingual'] as const).map((side) => (
                <Fragment key={side}>
                  <tr className="perio-table__sites" aria-hidden="true">
                    <td className="perio-table__rowhead">{side === 'facial' ? 'Facial sites' : 'Lingual sites'}</td>
                    {arch.teeth.flatMap((t) =>
                      sitesAsDrawn(t, side).map((s) => (
                        <td key={`${t}-${s}`} className="perio-table__site">
                          {missing.has(t) ? '' : s}
                        </td>
                      )),
                    )}
                  </tr>
                  {(['depth', 'margin'] as const).map((pass) => (
                    <tr key={pass} className={`perio-table__row perio-table__row--${pass}`}>
                      <th scope="row" className="perio-table__rowhead">
                        {side === 'facial' ? 'Facial' : 'Lingual'} {pass === 'depth' ? 'depth' : 'margin'}
                      </th>
                      {arch.teeth.flatMap((t, ti) =>
                        sitesAsDrawn(t, side).map((s, si) => {
                          if (missing.has(t)) {
                            return (
                              <td key={`${t}-${s}`} className="perio-site perio-site--missing">
                                <span aria-hidden="true">✕</span>
                              </td>
                            );
                          }
                          const k = cellKey(pass, { tooth: t, site: s });
                          return (
                            <SiteCell
                              key={k}
                              pass={pass}
                              tooth={t}
                              siteName={s}
                              label={toothLabel(t, numbering)}
                              site={draft[t]?.sites[s] ?? EMPTY_SITE}
                              pending={prefix?.key === k ? prefix.prefix : null}
                              invalid={!!invalid?.has(k)}
                              row={`${arch.name}-${side}-${pass}`}
                              col={ti * 3 + si}
                              handlers={handlers}
                            />
                          );
                        }),
                      )}
                    </tr>
                  ))}
                  <tr className="perio-table__row perio-table__row--cal">
                    <th scope="row" className="perio-table__rowhead">
                      {side === 'facial' ? 'Facial' : 'Lingual'} CAL
                    </th>
                    {arch.teeth.flatMap((t) =>
                      sitesAsDrawn(t, side).map((s) => {
                        const site = draft[t]?.sites[s];
                        const cal = !missing.has(t) && site?.depth !== undefined ? site.depth + (site.margin ?? 0) : null;
                        return (
                          <td key={`${t}-${s}`} className="perio-cal">
                            {cal === null ? <span className="muted" aria-hidden="true">·</span> : cal}
                            {cal !== null && <span className="visually-hidden"> mm, tooth {toothLabel(t, numbering)} {s}</span>}
                          </td>
                        );
                      }),
                    )}
                  </tr>
                  {side === 'facial' && (
                    <ToothGrades arch={arch.teeth} missing={missing} numbering={numbering} draft={draft} onChange={(t, change) => setTooth(patientId, t, change)} />
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}

interface CellHandlers {
  keyDown: (e: KeyboardEvent<HTMLInputElement>, pass: PerioPass, cell: PerioCell) => void;
  change: (e: ChangeEvent<HTMLInputElement>, pass: PerioPass, cell: PerioCell) => void;
  register: (key: string, el: HTMLInputElement | null) => void;
}

const SiteCell = memo(function SiteCell({
  pass,
  tooth,
  siteName,
  label,
  site,
  pending,
  invalid,
  row,
  col,
  handlers,
}: {
  pass: PerioPass;
  tooth: string;
  siteName: PerioCell['site'];
  label: string;
  site: SiteDraft;
  pending: Prefix | null;
  invalid: boolean;
  row: string;
  col: number;
  handlers: CellHandlers;
}) {
  const cell = useMemo(() => ({ tooth, site: siteName }), [tooth, siteName]);
  const k = cellKey(pass, cell);
  const value = site[pass];
  const deep = pass === 'depth' && value !== undefined && value >= DEEP_MM;
  const shown = pending ? `${pending.negative ? '-' : ''}${pending.tens ? '+' : ''}` : value === undefined ? '' : String(value);
  const flags = [deep && 'deep', site.bleeding && 'bleeding', site.suppuration && 'suppuration'].filter(Boolean).join(', ');
  const name = `Tooth ${label} ${cell.site} ${pass}${pass === 'depth' && flags ? `, ${flags}` : ''}`;
  return (
    <td
      className={[
        'perio-site',
        deep && 'perio-site--deep',
        pass === 'depth' && site.bleeding && 'perio-site--bleeding',
        pass === 'depth' && site.suppuration && 'perio-site--suppuration',
      ]
        .filter(Boolean)
        .join(' ')}
    >
      <input
        ref={(el) => handlers.register(k, el)}
        className="perio-input"
        inputMode="numeric"
        autoComplete="off"
        enterKeyHint="next"
        aria-label={name}
        aria-invalid={invalid || undefined}
        value={shown}
        placeholder={pass === 'margin' && value === undefined ? '0' : undefined}
        data-row={row}
        data-col={col}
        data-tooth={cell.tooth}
        data-site={cell.site}
        data-pass={pass}
        onKeyDown={(e) => handlers.keyDown(e, pass, cell)}
        onChange={(e) => handlers.change(e, pass, cell)}
        onFocus={(e) => e.currentTarget.select()}
      />
      {pass === 'depth' && (
        <span className="perio-flags" aria-hidden="true">
          {deep && <span className="perio-flag perio-flag--deep">▲</span>}
          {site.bleeding && <span className="perio-flag perio-flag--bleeding">B</span>}
          {site.suppuration && <span className="perio-flag perio-flag--suppuration">S</span>}
        </span>
      )}
    </td>
  );
});

/** Mobility for every tooth, furcation for the multi-rooted (posterior) ones. */
function ToothGrades({
  arch,
  missing,
  numbering,
  draft,
  onChange,
}: {
  arch: string[];
  missing: ReadonlySet<string>;
  numbering: Numbering;
  draft: PerioDraft;
  onChange: (tooth: string, change: { mobility?: number | undefined; furcation?: number | undefined }) => void;
}) {
  return (
    <>
      {(['mobility', 'furcation'] as const).map((field) => (
        <tr key={field} className="perio-table__row perio-table__row--grade">
          <th scope="row" className="perio-table__rowhead">
            {field === 'mobility' ? 'Mobility' : 'Furcation'}
          </th>
          {arch.map((t) => {
            const applies = !missing.has(t) && (field === 'mobility' || !toothInfo(t)?.anterior);
            const value = draft[t]?.[field];
            return (
              <td key={t} colSpan={3} className="perio-grade">
                {applies ? (
                  <select
                    aria-label={`Tooth ${toothLabel(t, numbering)} ${field}`}
                    value={value === undefined ? '' : String(value)}
                    onChange={(e) => onChange(t, { [field]: e.target.value === '' ? undefined : Number(e.target.value) })}
                  >
                    <option value="">–</option>
                    {GRADES.map((g) => (
                      <option key={g} value={g}>
                        {g}
                      </option>
                    ))}
                  </select>
                ) : null}
              </td>
            );
          })}
        </tr>
      ))}
    </>
  );
}
