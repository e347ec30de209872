import { useId, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { CHART_STATUSES, STATUS_LABELS, type ChartEntry, type ChartStatus } from '../../api/chart';
import { mouthRows, SURFACE_NAMES, surfacesFor, toothInfo, toothLabel, type Dentition, type Numbering, type Surface } from '../../lib/teeth';
import {
  entryPhrase,
  groupByTooth,
  KIND_ABBREVIATIONS,
  moveTooth,
  STATUS_STYLE,
  surfaceEntry,
  toothDescription,
  wholeToothEntries,
  type MoveKey,
} from './model';

const COL = 60;
const CROWN = 52;
const INSET = 16;
const PAD = 4;
// Vertical layout: labels outside, roots (whole-tooth marks) outside the crowns, crowns facing each other.
const UPPER = { label: 18, root: 26, crown: 58 };
const LOWER = { crown: 132, root: 188, label: 238 };
const HEIGHT = 248;

const MOVE_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End']);

export interface OdontogramProps {
  entries: readonly ChartEntry[];
  dentition: Dentition;
  numbering: Numbering;
  /** A tooth was chosen (click, Enter or Space); `surface` when a surface was clicked. */
  onOpen: (tooth: string, surface?: Surface) => void;
  /** Accessible name of the whole mouth. */
  label?: string;
}

/**
 * The mouth facing you: the upper arch over the lower, the patient's right on
 * your left. Each tooth is one button (roving tabindex: the whole mouth is a
 * single tab stop; arrows move between teeth, see `moveTooth`; Enter or Space
 * opens the tooth). A click on a surface opens the tooth with that surface picked.
 */
export function Odontogram({ entries, dentition, numbering, onOpen, label }: OdontogramProps) {
  const uid = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const hintId = `odontogram-hint-${uid}`;
  const rows = mouthRows(dentition);
  const byTooth = groupByTooth(entries);
  const [current, setCurrent] = useState<string>(rows.upper[0]!);
  const refs = useRef(new Map<string, SVGGElement>());
  const active = rows.upper.includes(current) || rows.lower.includes(current) ? current : rows.upper[0]!;
  const cols = rows.upper.length;

  function focusTooth(tooth: string) {
    setCurrent(tooth);
    refs.current.get(tooth)?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (MOVE_KEYS.has(event.key)) {
      event.preventDefault();
      focusTooth(moveTooth(rows, active, event.key as MoveKey));
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onOpen(active);
    }
  }

  function onClick(tooth: string, event: MouseEvent<SVGGElement>) {
    setCurrent(tooth);
    const surface = (event.target as Element).getAttribute?.('data-surface') as Surface | null;
    onOpen(tooth, surface ?? undefined);
  }

  // Two halves (the patient's right, then left): side by side they are the
  // whole mouth; on a narrow screen they stack, so teeth stay big enough to tap.
  const half = cols / 2;
  const width = half * COL + PAD * 2;
  const halves = [
    { side: 'Patient’s right', upper: rows.upper.slice(0, half), lower: rows.lower.slice(0, half) },
    { side: 'Patient’s left', upper: rows.upper.slice(half), lower: rows.lower.slice(half) },
  ];
  const occlusal = (UPPER.crown + CROWN + LOWER.crown) / 2;

  return (
    <div className="odontogram">
      <p id={hintId} className="visually-hidden">
        Arrow keys move between teeth, Enter opens the tooth to chart it.
      </p>
      <div
        className="odontogram-mouth"
        role="group"
        aria-label={label ?? `Odontogram, ${dentition} teeth`}
        aria-describedby={hintId}
        onKeyDown={onKeyDown}
      >
        {halves.map((h, n) => (
          <div key={h.side} className={`odontogram-half odontogram-half--${n === 0 ? 'right' : 'left'}`}>
            <p className="odontogram-side" aria-hidden="true">
              {h.side}
            </p>
            <svg className="odontogram-svg" viewBox={`0 0 ${width} ${HEIGHT}`} style={{ maxWidth: `${Math.round(width * 1.25)}px` }}>
              {n === 0 && <Patterns uid={uid} />}
              <line x1={PAD} x2={width - PAD} y1={occlusal} y2={occlusal} className="odontogram-occlusal" />
              {(['upper', 'lower'] as const).map((arch) =>
                h[arch].map((tooth, i) => (
                  <Tooth
                    key={tooth}
                    uid={uid}
                    tooth={tooth}
                    x={PAD + i * COL + (COL - CROWN) / 2}
                    arch={arch}
                    entries={byTooth.get(tooth) ?? []}
                    numbering={numbering}
                    tabIndex={tooth === active ? 0 : -1}
                    onClick={(e) => onClick(tooth, e)}
                    onFocus={() => setCurrent(tooth)}
                    refFn={(el) => {
                      if (el) refs.current.set(tooth, el);
                      else refs.current.delete(tooth);
                    }}
                  />
                )),
              )}
            </svg>
          </div>
        ))}
      </div>
      <Legend uid={uid} />
    </div>
  );
}

function patternId(uid: string, status: ChartStatus) {
  return `odontogram-${uid}-${status}`;
}

/** Fills: a colour and a pattern per status, so colour is never the only cue. */
function Patterns({ uid }: { uid: string }) {
  const s = STATUS_STYLE;
  return (
    <defs>
      <pattern id={patternId(uid, 'condition')} width="6" height="6" patternUnits="userSpaceOnUse">
        <rect width="6" height="6" fill="#fde2e2" />
        <path d="M0 0L6 6M6 0L0 6" stroke={s.condition.colour} strokeWidth="1.4" />
      </pattern>
      <pattern id={patternId(uid, 'existing')} width="6" height="6" patternUnits="userSpaceOnUse">
        <rect width="6" height="6" fill={s.existing.colour} />
      </pattern>
      <pattern id={patternId(uid, 'planned')} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <rect width="6" height="6" fill="#f3e8ff" />
        <rect width="3" height="6" fill={s.planned.colour} />
      </pattern>
      <pattern id={patternId(uid, 'completed')} width="6" height="6" patternUnits="userSpaceOnUse">
        <rect width="6" height="6" fill="#dcfce7" />
        <circle cx="3" cy="3" r="1.8" fill={s.completed.colour} />
      </pattern>
    </defs>
  );
}

/** Which surface each of the five regions is, for this tooth's place in the mouth. */
function regions(tooth: string, arch: 'upper' | 'lower') {
  const info = toothInfo(tooth)!;
  const facial: Surface = info.anterior ? 'F' : 'B';
  const centre: Surface = info.anterior ? 'I' : 'O';
  // Mesial faces the midline: on the patient's right (your left) that is the tooth's right side.
  const [left, right]: [Surface, Surface] = info.side === 'right' ? ['D', 'M'] : ['M', 'D'];
  // Facial faces out of the mouth: up for the upper arch, down for the lower.
  const [top, bottom]: [Surface, Surface] = arch === 'upper' ? [facial, 'L'] : ['L', facial];
  return { top, bottom, left, right, centre };
}

function Tooth({
  uid,
  tooth,
  x,
  arch,
  entries,
  numbering,
  tabIndex,
  onClick,
  onFocus,
  refFn,
}: {
  uid: string;
  tooth: string;
  x: number;
  arch: 'upper' | 'lower';
  entries: ChartEntry[];
  numbering: Numbering;
  tabIndex: number;
  onClick: (e: MouseEvent<SVGGElement>) => void;
  onFocus: () => void;
  refFn: (el: SVGGElement | null) => void;
}) {
  const layout = arch === 'upper' ? UPPER : LOWER;
  const y = layout.crown;
  const r = regions(tooth, arch);
  const whole = wholeToothEntries(entries);
  const gone = whole.find((e) => e.kind === 'missing' || (e.kind === 'extraction' && e.status === 'completed'));
  const crossed = whole.find((e) => e.kind === 'missing' || e.kind === 'extraction');
  const crowned = whole.find((e) => e.kind === 'crown' || e.kind === 'bridge' || e.kind === 'veneer');
  const marks = whole;
  const valid = new Set(surfacesFor(tooth));
  const s = CROWN;
  const i = INSET;
  const shapes: { surface: Surface; points: string }[] = [
    { surface: r.top, points: `${x},${y} ${x + s},${y} ${x + s - i},${y + i} ${x + i},${y + i}` },
    { surface: r.bottom, points: `${x},${y + s} ${x + s},${y + s} ${x + s - i},${y + s - i} ${x + i},${y + s - i}` },
    { surface: r.left, points: `${x},${y} ${x + i},${y + i} ${x + i},${y + s - i} ${x},${y + s}` },
    { surface: r.right, points: `${x + s},${y} ${x + s - i},${y + i} ${x + s - i},${y + s - i} ${x + s},${y + s}` },
  ];

  function fill(surface: Surface): string {
    const e = surfaceEntry(entries, surface);
    return e ? `url(#${patternId(uid, e.status)})` : '#ffffff';
  }

  function title(surface: Surface): string {
    const on = entries.filter((e) => e.surfaces?.includes(surface));
    const name = `${surface}, ${SURFACE_NAMES[surface]}`;
    return on.length ? `${name}: ${on.map(entryPhrase).join(', ')}` : `${name}: nothing charted`;
  }

  const rootY = layout.root;
  return (
    <>
      <g
        ref={refFn}
        className={`odontogram-tooth${gone ? ' odontogram-tooth--gone' : ''}`}
        role="button"
        tabIndex={tabIndex}
        aria-label={toothDescription(tooth, entries, numbering)}
        data-tooth={tooth}
        onClick={onClick}
        onFocus={onFocus}
      >
        <rect className="odontogram-ring" x={x - 3} y={Math.min(rootY, y) - 3} width={s + 6} height={s + 30 + 10} rx="6" />
        <text className="odontogram-label" x={x + s / 2} y={layout.label} textAnchor="middle">
          {toothLabel(tooth, numbering)}
        </text>
        {shapes.map((shape) => (
          <polygon key={shape.surface} data-surface={shape.surface} points={shape.points} fill={fill(shape.surface)} className="odontogram-surface">
            <title>{title(shape.surface)}</title>
          </polygon>
        ))}
        {valid.has(r.centre) && (
          <rect
            data-surface={r.centre}
            x={x + i}
            y={y + i}
            width={s - 2 * i}
            height={s - 2 * i}
            fill={fill(r.centre)}
            className="odontogram-surface"
          >
            <title>{title(r.centre)}</title>
          </rect>
        )}
        {crowned && (
          <rect
            x={x - 1}
            y={y - 1}
            width={s + 2}
            height={s + 2}
            rx="4"
            fill="none"
            stroke={STATUS_STYLE[crowned.status].colour}
            strokeWidth="4"
            strokeDasharray={STATUS_STYLE[crowned.status].dash || undefined}
            pointerEvents="none"
          />
        )}
        {crossed && (
          <path
            d={`M${x + 4} ${y + 4}L${x + s - 4} ${y + s - 4}M${x + s - 4} ${y + 4}L${x + 4} ${y + s - 4}`}
            stroke={STATUS_STYLE[crossed.status].colour}
            strokeWidth="5"
            strokeLinecap="round"
            strokeDasharray={crossed.status === 'planned' ? '8 4' : undefined}
            pointerEvents="none"
          />
        )}
      </g>
      {/* Outside the button: its name says all this in words (and axe wants a button's visible text in its name). */}
      {marks.slice(0, 2).map((e, n) => (
        <Mark key={e.id} entry={e} x={x} y={rootY + n * 15} more={n === 1 && marks.length > 2 ? marks.length - 2 : 0} />
      ))}
    </>
  );
}

/** A whole-tooth entry as a short label with its status symbol and border style. */
function Mark({ entry, x, y, more }: { entry: ChartEntry; x: number; y: number; more: number }) {
  const style = STATUS_STYLE[entry.status];
  const text = `${style.symbol}${KIND_ABBREVIATIONS[entry.kind] ?? entry.kind}${more ? ` +${more}` : ''}`;
  return (
    <g pointerEvents="none" aria-hidden="true">
      <rect x={x + 1} y={y + 1} width={CROWN - 2} height="13" rx="3" fill="#ffffff" stroke={style.colour} strokeWidth="1.5" strokeDasharray={style.dash || undefined} />
      <text x={x + CROWN / 2} y={y + 11} textAnchor="middle" className="odontogram-mark" fill={style.colour}>
        {text}
      </text>
    </g>
  );
}

/** What the colours, patterns and marks mean. */
function Legend({ uid }: { uid: string }) {
  return (
    <div className="odontogram-legend">
      <h3 className="visually-hidden">Legend</h3>
      <ul>
        {CHART_STATUSES.map((status) => (
          <li key={status}>
            <svg width="28" height="20" aria-hidden="true" focusable="false">
              <rect x="1" y="1" width="26" height="18" rx="2" fill={`url(#${patternId(uid, status)})`} stroke={STATUS_STYLE[status].colour} strokeWidth="1.5" strokeDasharray={STATUS_STYLE[status].dash || undefined} />
            </svg>
            <span>
              <strong>
                {STATUS_STYLE[status].symbol} {STATUS_LABELS[status]}
              </strong>{' '}
              <span className="muted">({STATUS_STYLE[status].pattern})</span>
            </span>
          </li>
        ))}
        <li>
          <span aria-hidden="true" className="odontogram-legend__glyph">✕</span>
          <span>Missing or extracted (dashed: extraction planned)</span>
        </li>
        <li>
          <span aria-hidden="true" className="odontogram-legend__glyph odontogram-legend__glyph--ring">▢</span>
          <span>Crown, bridge or veneer (ring round the tooth)</span>
        </li>
        <li>
          <span className="muted">Whole-tooth marks: RCT root canal, IMPL implant, IMP impacted, ABS abscess, W watch, EXT extraction</span>
        </li>
      </ul>
    </div>
  );
}
