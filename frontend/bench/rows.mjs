// The bench's markdown rows: | what | figure | reference | ratio | target | met |
import { appendFileSync, writeFileSync } from 'node:fs';

const cell = (v) => String(v ?? '—').replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** One table row. met: true → "yes", false → "**no**", undefined → "—". */
export function row({ what, figure, reference, ratio, target, met }) {
  const verdict = met === undefined ? '—' : met ? 'yes' : '**no**';
  return `| ${[what, figure, reference, ratio, target, verdict].map(cell).join(' | ')} |`;
}

/** Writes rows to out (when given) as they are measured, and prints them. */
export function rowWriter(out) {
  if (out) writeFileSync(out, '');
  return (r) => {
    const line = row(r);
    console.log(line);
    if (out) appendFileSync(out, `${line}\n`);
  };
}

export const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
export const ms = (v) => `${Math.round(v)} ms`;
export const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
