import { useId, useState, type FormEvent } from 'react';
import { Field } from '../../components/Field';
import { api, isApiError, NETWORK_ERROR_MESSAGE } from '../../lib/api';
import { countryChoices, PHONE_COUNTRIES } from '../../lib/places';
import { toastSuccess } from '../../lib/toast';
import type { Clinic } from '../../lib/types';
import { useSessionStore } from '../../lib/session';

/**
 * For the admin: the practice's public sign-up address (its slug, in the
 * portal sign-up link) and its country (phones typed without a country code
 * are read, and shown, as its numbers).
 */
export function PracticeSettings({ clinic }: { clinic: Clinic }) {
  const id = useId();
  const [slug, setSlug] = useState(clinic.slug ?? '');
  const [country, setCountry] = useState(clinic.settings.country ?? 'US');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setErrors({});
    setError(null);
    setSaving(true);
    try {
      const out = await api.patch<Clinic>('/api/clinic', { slug: slug.trim().toLowerCase(), country });
      useSessionStore.setState((s) => {
        if (!s.clinic) return { clinic: s.clinic };
        const settings = { ...s.clinic.settings, ...(out.settings.country ? { country: out.settings.country } : {}) };
        return { clinic: { ...s.clinic, ...(out.slug ? { slug: out.slug } : {}), settings } };
      });
      setSlug(out.slug ?? '');
      toastSuccess('Practice settings saved.');
    } catch (err) {
      if (isApiError(err) && err.status === 409) {
        setErrors({ slug: 'Another practice already uses that address. Choose another.' });
      } else if (isApiError(err) && err.fields.length) {
        const byField: Record<string, string> = {};
        for (const f of err.fields) byField[f.field] = `${f.field === 'slug' ? 'Sign-up address' : 'Country'} ${f.message}`;
        setErrors(byField);
      } else {
        setError(isApiError(err) && err.status !== 0 ? `${err.message} (Reference: ${err.requestId})` : NETWORK_ERROR_MESSAGE);
      }
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="form-card" aria-labelledby={`${id}-title`} onSubmit={save}>
      <h2 id={`${id}-title`} className="section-title">
        Practice settings
      </h2>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <Field
        label="Sign-up address"
        name="slug"
        value={slug}
        onChange={(e) => setSlug(e.target.value)}
        hint="Lowercase letters, digits and hyphens, such as riverside-family-dental. It is the end of the portal sign-up link; old links stop working when it changes."
        error={errors.slug}
        autoComplete="off"
        required
        minLength={3}
        maxLength={60}
      />
      <div className="field">
        <label htmlFor={`${id}-country`}>Country</label>
        <select
          id={`${id}-country`}
          name="country"
          value={country}
          onChange={(e) => setCountry(e.target.value)}
          aria-describedby={`${id}-country-hint${errors.country ? ` ${id}-country-error` : ''}`}
          aria-invalid={errors.country ? true : undefined}
        >
          {countryChoices(PHONE_COUNTRIES, country).map((c) => (
            <option key={c.code} value={c.code}>
              {c.name}
            </option>
          ))}
        </select>
        <p id={`${id}-country-hint`} className="field__hint">
          Phone numbers typed without a country code are read as this country’s.
        </p>
        {errors.country && (
          <p id={`${id}-country-error`} className="field__error">
            {errors.country}
          </p>
        )}
      </div>
      <button type="submit" className="button-primary" disabled={saving} aria-busy={saving}>
        {saving ? 'Saving…' : 'Save practice settings'}
      </button>
    </form>
  );
}
