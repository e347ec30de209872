import { consentParagraphs } from '../../api/consents';

/** A form's full text, as the patient reads it: paragraphs at a comfortable line length. */
export function ConsentText({ body, label }: { body: string; label?: string }) {
  const paragraphs = consentParagraphs(body);
  return (
    <div className="consent-text" aria-label={label} role={label ? 'region' : undefined}>
      {paragraphs.length === 0 ? <p className="muted">This form has no text.</p> : paragraphs.map((p, i) => <p key={i}>{p}</p>)}
    </div>
  );
}
