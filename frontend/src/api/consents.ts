import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, newRequestId, refreshSession, toApiError } from '../lib/api';

export const CONSENT_KINDS = ['treatment', 'anaesthesia', 'privacy', 'financial', 'minor_guardian', 'other'] as const;
export type ConsentKind = (typeof CONSENT_KINDS)[number];

export const CONSENT_KIND_LABELS: Record<ConsentKind, string> = {
  treatment: 'Treatment',
  anaesthesia: 'Anaesthesia',
  privacy: 'Privacy',
  financial: 'Financial',
  minor_guardian: 'Minor / guardian',
  other: 'Other',
};

export const kindLabel = (kind: string) => CONSENT_KIND_LABELS[kind as ConsentKind] ?? kind;

/** A clinic's consent form. Editing one saves a new version; sent forms keep the text they were sent with. */
export interface ConsentTemplate {
  id: string;
  version: number;
  title: string;
  kind: ConsentKind | string;
  body: string;
  active: boolean;
  hash: string;
  createdAt: string;
  createdBy: string;
}

export interface ConsentTemplateInput {
  title: string;
  kind: string;
  body: string;
}

export interface ConsentTemplatePatch {
  title?: string;
  body?: string;
  active?: boolean;
  /** The version that was edited (409 when someone saved another one first). */
  version: number;
}

export interface ConsentSignature {
  /** The typed full name. */
  name: string;
  signedAt: string;
  ip?: string;
  userAgent?: string;
  /** Who signed: the patient, or their guardian (another patient of the family). */
  signerPatientId?: string;
  /** Set when a guardian signed for the patient. */
  onBehalfOf?: string | null;
}

export interface Consent {
  id: string;
  patientId: string;
  templateId: string;
  templateVersion: number;
  title: string;
  kind: ConsentKind | string;
  /** The exact text the patient reads and signs (a copy of the template version sent). */
  body: string;
  bodyHash: string;
  status: 'pending' | 'signed';
  sentAt: string;
  sentBy: string;
  planId?: string | null;
  appointmentId?: string | null;
  signature: ConsentSignature | null;
  /** On the patient's own list (`GET /api/consents`): whose form it is. */
  patientName?: string;
}

export interface SendConsentInput {
  templateId: string;
  planId?: string;
}

export const consentKeys = {
  all: ['consents'] as const,
  forPatient: (patientId: string) => ['consents', 'patient', patientId] as const,
  mine: ['consents', 'mine'] as const,
  one: (id: string) => ['consents', 'one', id] as const,
};

export const consentTemplateKeys = {
  all: ['consent-templates'] as const,
  list: (all: boolean) => ['consent-templates', all ? 'all' : 'active'] as const,
};

const enc = encodeURIComponent;

/** The latest version of each template (a list may carry several versions of one), newest title order kept. */
export function latestVersions(items: readonly ConsentTemplate[]): ConsentTemplate[] {
  const byId = new Map<string, ConsentTemplate>();
  for (const t of items) {
    const seen = byId.get(t.id);
    if (!seen || t.version > seen.version) byId.set(t.id, t);
  }
  return [...byId.values()];
}

/** The clinic's templates: active ones (to send), or `all` (the templates page). */
export function useConsentTemplates(all = false) {
  return useQuery({
    queryKey: consentTemplateKeys.list(all),
    queryFn: ({ signal }) =>
      api.get<{ items: ConsentTemplate[] }>('/api/consent-templates', { signal, query: { all: all ? 'true' : undefined } }),
    select: (r) => latestVersions(r.items ?? []),
  });
}

export function useCreateConsentTemplate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: ConsentTemplateInput) => api.post<ConsentTemplate>('/api/consent-templates', input),
    meta: { inlineErrors: true },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: consentTemplateKeys.all }),
  });
}

/** Saves a new version of a template (title/body), or turns it on or off. */
export function useUpdateConsentTemplate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: ConsentTemplatePatch }) =>
      api.patch<ConsentTemplate>(`/api/consent-templates/${enc(id)}`, patch),
    meta: { inlineErrors: true },
    // A 409 means the list is stale too: refetch either way.
    onSettled: () => void queryClient.invalidateQueries({ queryKey: consentTemplateKeys.all }),
  });
}

/** Pending forms first (oldest sent first: the one waiting longest), then signed ones, newest signature first. */
export function sortConsents(items: readonly Consent[]): Consent[] {
  const pending = items.filter((c) => c.status !== 'signed').sort((a, b) => a.sentAt.localeCompare(b.sentAt));
  const signed = items
    .filter((c) => c.status === 'signed')
    .sort((a, b) => (b.signature?.signedAt ?? b.sentAt).localeCompare(a.signature?.signedAt ?? a.sentAt));
  return [...pending, ...signed];
}

/** A patient's forms (staff). */
export function usePatientConsents(patientId: string | null | undefined) {
  return useQuery({
    queryKey: consentKeys.forPatient(patientId ?? ''),
    queryFn: ({ signal }) => api.get<{ items: Consent[] }>(`/api/patients/${enc(patientId!)}/consents`, { signal }),
    select: (r) => r.items ?? [],
    enabled: !!patientId,
  });
}

export function useSendConsent(patientId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SendConsentInput) => {
      const body: SendConsentInput = { templateId: input.templateId };
      if (input.planId) body.planId = input.planId;
      return api.post<Consent>(`/api/patients/${enc(patientId)}/consents`, body);
    },
    meta: { inlineErrors: true },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: consentKeys.forPatient(patientId) }),
  });
}

/** The signed-in patient's forms, their own and those they sign as guardian, pending first. */
export function useMyConsents() {
  return useQuery({
    queryKey: consentKeys.mine,
    queryFn: ({ signal }) => api.get<{ items: Consent[] }>('/api/consents', { signal }),
    select: (r) => r.items ?? [],
  });
}

export function useConsent(id: string | null | undefined) {
  return useQuery({
    queryKey: consentKeys.one(id ?? ''),
    queryFn: ({ signal }) => api.get<Consent>(`/api/consents/${enc(id!)}`, { signal }),
    enabled: !!id,
  });
}

export function useSignConsent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, signature }: { id: string; signature: string }) =>
      api.post<Consent>(`/api/consents/${enc(id)}/sign`, { signature }),
    meta: { inlineErrors: true },
    onSuccess: (consent) => {
      if (consent?.id) queryClient.setQueryData(consentKeys.one(consent.id), consent);
      void queryClient.invalidateQueries({ queryKey: consentKeys.all });
    },
  });
}

export const consentPdfUrl = (id: string) => `/api/consents/${enc(id)}/pdf`;

/** "Consent - Treatment consent - 2031-01-02.pdf"-style, safe for every file system. */
export function consentPdfName(consent: Pick<Consent, 'title' | 'signature' | 'sentAt'>): string {
  const date = (consent.signature?.signedAt ?? consent.sentAt ?? '').slice(0, 10);
  const title =
    consent.title
      .replace(/[^\p{L}\p{N} _-]+/gu, '')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 80) || 'consent';
  return `${title}${date ? ` ${date}` : ''}.pdf`;
}

/**
 * Fetches a signed form's PDF with the session cookie (refreshing the
 * session once on 401, as the API client does) and returns it as a Blob.
 */
export async function fetchConsentPdf(id: string): Promise<Blob> {
  const get = () => {
    const requestId = newRequestId();
    return fetch(consentPdfUrl(id), {
      credentials: 'same-origin',
      headers: { Accept: 'application/pdf', 'X-Request-Id': requestId },
    }).then((response) => ({ response, requestId }));
  };
  let { response, requestId } = await get();
  if (response.status === 401 && (await refreshSession())) ({ response, requestId } = await get());
  if (!response.ok) throw await toApiError(response, requestId);
  return response.blob();
}

/** Downloads a signed form's PDF (fetch + blob, so an error can be shown rather than a broken page). */
export async function downloadConsentPdf(consent: Pick<Consent, 'id' | 'title' | 'signature' | 'sentAt'>): Promise<void> {
  const blob = await fetchConsentPdf(consent.id);
  const url = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = consentPdfName(consent);
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    // Give the browser a moment to start the download before the URL goes.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/** The download as a mutation: its pending state for the button, its error as a toast. */
export function useDownloadConsentPdf() {
  return useMutation({ mutationFn: downloadConsentPdf });
}

/** A form's text as paragraphs (blank lines between them); single line breaks stay inside a paragraph. */
export function consentParagraphs(body: string): string[] {
  return body
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.replace(/^\n+|\s+$/g, ''))
    .filter((p) => p.trim() !== '');
}
