import { Fragment } from 'react';

/** "1 patient matches “ann”", "3+ patients match “ann”", "12 patients". */
export function patientCountText(count: number, more: boolean, term: string): string {
  const plural = count !== 1 || more;
  const noun = `${count}${more ? '+' : ''} patient${plural ? 's' : ''}`;
  if (!term) return noun;
  return `${noun} ${plural ? 'match' : 'matches'} “${term}”`;
}

/**
 * An email that may wrap only after the "@" and before a dot (the places a
 * reader expects), never inside a word unless even one part cannot fit.
 */
export function Email({ value }: { value: string }) {
  const parts = value.split(/(?<=@)|(?=\.)/);
  return (
    <span className="pol-email">
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </span>
  );
}
