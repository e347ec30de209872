import { PERMANENT_TEETH, PRIMARY_TEETH, toothInfo, toothLabel, type Numbering } from '../../lib/teeth';
import { kindLabel, type PatientDocument } from '../../api/documents';

/** `<option>`s for every tooth, labelled in the clinic's numbering; the value is always Universal. */
export function ToothOptions({ numbering }: { numbering: Numbering }) {
  const option = (t: string) => (
    <option key={t} value={t}>
      {toothLabel(t, numbering)} — {toothInfo(t)?.name}
    </option>
  );
  return (
    <>
      <optgroup label="Permanent teeth">{PERMANENT_TEETH.map(option)}</optgroup>
      <optgroup label="Primary teeth">{PRIMARY_TEETH.map(option)}</optgroup>
    </>
  );
}

/** "X-ray, tooth 19, 2026-11-30": a document's short name (thumbnails' alt text, the viewer's title). */
export function documentName(doc: Pick<PatientDocument, 'kind' | 'tooth' | 'takenOn' | 'fileName'>, numbering: Numbering): string {
  const parts = [kindLabel(doc.kind)];
  if (doc.tooth) parts.push(`tooth ${toothLabel(doc.tooth, numbering)}`);
  if (doc.takenOn) parts.push(doc.takenOn);
  else parts.push(doc.fileName);
  return parts.join(', ');
}
