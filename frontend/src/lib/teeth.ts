/**
 * Teeth for the UI: Universal ↔ FDI numbering, names, tooth types and the
 * surfaces each tooth has. The server accepts either numbering and answers
 * both (`tooth` Universal, `fdi`); the UI labels teeth by the clinic's
 * `toothNumbering` setting.
 *
 * Universal, permanent: 1 = upper right third molar … 8 upper right central,
 * 9 upper left central … 16 upper left third molar, 17 lower left third molar
 * … 24 lower left central, 25 lower right central … 32 lower right third molar.
 * Universal, primary: A upper right second molar … J upper left second molar,
 * K lower left second molar … T lower right second molar.
 * FDI: quadrant digit (1 UR, 2 UL, 3 LL, 4 LR; 5–8 the same for primary teeth)
 * then the position from the midline (1 central incisor … 8 third molar).
 */

export type Numbering = 'universal' | 'fdi';
export type Dentition = 'permanent' | 'primary';
export type Arch = 'upper' | 'lower';
export type Side = 'right' | 'left';
export type ToothType = 'central incisor' | 'lateral incisor' | 'canine' | 'first premolar' | 'second premolar' | 'first molar' | 'second molar' | 'third molar';
export type Surface = 'M' | 'O' | 'D' | 'B' | 'L' | 'F' | 'I';

export interface ToothInfo {
  /** Universal designation ("1"–"32", "A"–"T"): what the API's `tooth` holds. */
  universal: string;
  fdi: string;
  dentition: Dentition;
  arch: Arch;
  /** The patient's side. */
  side: Side;
  /** 1 (FDI quadrant 1/5 UR), 2 (UL), 3 (LL), 4 (LR). */
  quadrant: 1 | 2 | 3 | 4;
  /** 1 = central incisor … 8 = third molar (5 = second molar in primary teeth). */
  position: number;
  type: ToothType;
  /** Incisors and canines. */
  anterior: boolean;
  /** "upper right first molar", "lower left primary canine". */
  name: string;
}

const PERMANENT_TYPES: ToothType[] = [
  'central incisor',
  'lateral incisor',
  'canine',
  'first premolar',
  'second premolar',
  'first molar',
  'second molar',
  'third molar',
];
// Primary teeth have no premolars: positions 4 and 5 are the first and second molars.
const PRIMARY_TYPES: ToothType[] = ['central incisor', 'lateral incisor', 'canine', 'first molar', 'second molar'];

const PRIMARY_LETTERS = 'ABCDEFGHIJKLMNOPQRST';

/** Universal permanent teeth in Universal order (1…32). */
export const PERMANENT_TEETH: readonly string[] = Array.from({ length: 32 }, (_, i) => String(i + 1));
/** Universal primary teeth in Universal order (A…T). */
export const PRIMARY_TEETH: readonly string[] = PRIMARY_LETTERS.split('');

function build(universal: string): ToothInfo | null {
  let dentition: Dentition;
  let quadrant: 1 | 2 | 3 | 4;
  let position: number;
  if (/^[1-9]$|^[12][0-9]$|^3[0-2]$/.test(universal)) {
    const n = Number(universal);
    dentition = 'permanent';
    if (n <= 8) [quadrant, position] = [1, 9 - n];
    else if (n <= 16) [quadrant, position] = [2, n - 8];
    else if (n <= 24) [quadrant, position] = [3, 25 - n];
    else [quadrant, position] = [4, n - 24];
  } else if (/^[A-T]$/.test(universal)) {
    const i = PRIMARY_LETTERS.indexOf(universal); // 0…19
    dentition = 'primary';
    if (i < 5) [quadrant, position] = [1, 5 - i];
    else if (i < 10) [quadrant, position] = [2, i - 4];
    else if (i < 15) [quadrant, position] = [3, 15 - i];
    else [quadrant, position] = [4, i - 14];
  } else {
    return null;
  }
  const type = (dentition === 'permanent' ? PERMANENT_TYPES : PRIMARY_TYPES)[position - 1]!;
  const arch: Arch = quadrant <= 2 ? 'upper' : 'lower';
  const side: Side = quadrant === 1 || quadrant === 4 ? 'right' : 'left';
  const fdiQuadrant = dentition === 'permanent' ? quadrant : quadrant + 4;
  return {
    universal,
    fdi: `${fdiQuadrant}${position}`,
    dentition,
    arch,
    side,
    quadrant,
    position,
    type,
    anterior: position <= 3,
    name: `${arch} ${side} ${dentition === 'primary' ? 'primary ' : ''}${type}`,
  };
}

const BY_UNIVERSAL = new Map<string, ToothInfo>();
const BY_FDI = new Map<string, ToothInfo>();
for (const t of [...PERMANENT_TEETH, ...PRIMARY_TEETH]) {
  const info = build(t)!;
  BY_UNIVERSAL.set(t, info);
  BY_FDI.set(info.fdi, info);
}

/** Everything the UI knows about a tooth, by its Universal designation (lower-case letters accepted). */
export function toothInfo(universal: string): ToothInfo | undefined {
  return BY_UNIVERSAL.get(universal.trim().toUpperCase());
}

/** FDI "16" → Universal "3"; undefined when it is no tooth. */
export function fdiToUniversal(fdi: string): string | undefined {
  return BY_FDI.get(fdi.trim())?.universal;
}

/** Universal "3" → FDI "16"; undefined when it is no tooth. */
export function universalToFdi(universal: string): string | undefined {
  return toothInfo(universal)?.fdi;
}

/** The label to show for a tooth under the clinic's numbering. */
export function toothLabel(universal: string, numbering: Numbering): string {
  const info = toothInfo(universal);
  if (!info) return universal;
  return numbering === 'fdi' ? info.fdi : info.universal;
}

export const SURFACE_NAMES: Record<Surface, string> = {
  M: 'mesial',
  O: 'occlusal',
  D: 'distal',
  B: 'buccal',
  L: 'lingual',
  F: 'facial',
  I: 'incisal',
};

const ANTERIOR_SURFACES: readonly Surface[] = ['M', 'D', 'F', 'L', 'I'];
const POSTERIOR_SURFACES: readonly Surface[] = ['M', 'O', 'D', 'B', 'L'];

/** The surfaces a tooth has: anteriors M D F L I, posteriors M O D B L. Empty for no tooth. */
export function surfacesFor(universal: string): readonly Surface[] {
  const info = toothInfo(universal);
  if (!info) return [];
  return info.anterior ? ANTERIOR_SURFACES : POSTERIOR_SURFACES;
}

/** Surfaces in the conventional written order (M O/I D B/F L), e.g. "MOD". */
export function formatSurfaces(surfaces: readonly string[]): string {
  const order = 'MOIDBFL';
  return [...surfaces].sort((a, b) => order.indexOf(a) - order.indexOf(b)).join('');
}

/**
 * The teeth as they are drawn, facing the patient: the upper arch from the
 * patient's right (viewer's left) to their left, the lower arch under it
 * from the patient's right to their left, so each lower tooth sits under
 * its upper counterpart. Permanent: [1…16] over [32…17]; primary: [A…J] over [T…K].
 */
export function mouthRows(dentition: Dentition): { upper: string[]; lower: string[] } {
  const teeth = dentition === 'permanent' ? PERMANENT_TEETH : PRIMARY_TEETH;
  const half = teeth.length / 2;
  return { upper: teeth.slice(0, half), lower: teeth.slice(half).reverse() };
}

/** "Tooth 3" or "Tooth 16" (FDI): how the UI names a tooth in text. */
export function toothTitle(universal: string, numbering: Numbering): string {
  return `Tooth ${toothLabel(universal, numbering)}`;
}
