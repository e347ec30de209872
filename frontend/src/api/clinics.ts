import { api } from '../lib/api';

/** All the public practice search tells of a clinic. */
export interface ClinicListing {
  slug: string;
  name: string;
}

/** GET /api/clinics?q=: up to 10 practices whose name words start with the query's words. */
export async function searchClinics(q: string, signal?: AbortSignal): Promise<ClinicListing[]> {
  const r = await api.get<{ items: ClinicListing[] }>(`/api/clinics?q=${encodeURIComponent(q)}`, { signal });
  return r.items ?? [];
}

/** GET /api/clinics?slug=: the practice of a sign-up link, or null. */
export async function clinicBySlug(slug: string, signal?: AbortSignal): Promise<ClinicListing | null> {
  const r = await api.get<{ items: ClinicListing[] }>(`/api/clinics?slug=${encodeURIComponent(slug)}`, { signal });
  return r.items?.[0] ?? null;
}

/** A clinic's id (legacy sign-up links carried it) rather than its slug. */
export function isClinicId(s: string): boolean {
  return /^[0-9a-f]{24}$/.test(s);
}
