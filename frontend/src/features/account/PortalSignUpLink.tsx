import { useId, useState } from 'react';
import { toastError, toastSuccess } from '../../lib/toast';
import type { Clinic } from '../../lib/types';

/** The link patients use to create their portal account at this practice. */
export function portalSignUpLink(origin: string, clinic: Pick<Clinic, 'id'> & { slug?: string }): string {
  return `${origin}/sign-up?clinic=${encodeURIComponent(clinic.slug || clinic.id)}`;
}

/** For staff: the practice's portal sign-up link, to read out, paste in an email or print. */
export function PortalSignUpLink({ clinic }: { clinic: Clinic }) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  const link = portalSignUpLink(window.location.origin, clinic);

  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
      toastSuccess('Sign-up link copied.');
    } catch {
      toastError(null, 'Could not copy. Select the link and copy it by hand.');
    }
  }

  return (
    <section className="form-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="section-title">
        Patient portal sign-up link
      </h2>
      <p id={`${id}-hint`}>
        Send this to patients of {clinic.name} so they can create their portal account and book online.
      </p>
      <div className="pol-copy">
        <label htmlFor={`${id}-link`} className="visually-hidden">
          Patient portal sign-up link
        </label>
        <input
          id={`${id}-link`}
          className="pol-copy__input"
          readOnly
          value={link}
          aria-describedby={`${id}-hint`}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="button-secondary" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </section>
  );
}
