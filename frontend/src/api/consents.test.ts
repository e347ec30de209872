import { afterEach, describe, expect, it, vi } from 'vitest';
import { isApiError, resetApiClient } from '../lib/api';
import { jsonResponse } from '../test/render';
import {
  consentParagraphs,
  consentPdfName,
  fetchConsentPdf,
  latestVersions,
  sortConsents,
  type Consent,
  type ConsentTemplate,
} from './consents';

const c = (extra: Partial<Consent>): Consent => ({
  id: 'c', patientId: 'p', templateId: 't', templateVersion: 1, title: 'Form', kind: 'other', body: '', bodyHash: '',
  status: 'pending', sentAt: '2031-01-01T00:00:00Z', sentBy: 'u', signature: null, ...extra,
});

describe('api/consents helpers', () => {
  it('sorts pending first (longest waiting first), then signed newest first', () => {
    const list = sortConsents([
      c({ id: 's-old', status: 'signed', signature: { name: 'x', signedAt: '2030-01-01T00:00:00Z' } }),
      c({ id: 'p-new', sentAt: '2031-02-01T00:00:00Z' }),
      c({ id: 's-new', status: 'signed', signature: { name: 'x', signedAt: '2031-03-01T00:00:00Z' } }),
      c({ id: 'p-old', sentAt: '2031-01-01T00:00:00Z' }),
    ]);
    expect(list.map((x) => x.id)).toEqual(['p-old', 'p-new', 's-new', 's-old']);
  });

  it('splits a body into paragraphs on blank lines', () => {
    expect(consentParagraphs('One\r\nline two\n\n\n  \nTwo\n')).toEqual(['One\nline two', 'Two']);
    expect(consentParagraphs('')).toEqual([]);
  });

  it('keeps the latest version of each template', () => {
    const t = (id: string, version: number) => ({ id, version }) as ConsentTemplate;
    expect(latestVersions([t('a', 1), t('a', 3), t('b', 1), t('a', 2)]).map((x) => `${x.id}${x.version}`)).toEqual(['a3', 'b1']);
  });

  it('names the PDF by title and date', () => {
    expect(consentPdfName({ title: 'Consent: treatment / crown', sentAt: '2031-01-01T00:00:00Z', signature: { name: 'x', signedAt: '2031-01-05T10:00:00Z' } })).toBe(
      'Consent treatment crown 2031-01-05.pdf',
    );
  });
});

describe('fetchConsentPdf', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('GETs the PDF with the session cookie and answers a blob', async () => {
    resetApiClient();
    const fetchMock = vi.fn<typeof fetch>(async () => new Response('%PDF-1.4', { status: 200, headers: { 'Content-Type': 'application/pdf' } }));
    vi.stubGlobal('fetch', fetchMock);
    const blob = await fetchConsentPdf('c 1');
    expect(await blob.text()).toBe('%PDF-1.4');
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/consents/c%201/pdf');
    expect(init?.credentials).toBe('same-origin');
  });

  it('throws the API error (a pending form has no PDF)', async () => {
    resetApiClient();
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse({ error: { code: 'conflict', message: 'Not signed yet', requestId: 'r-1' } }, 409)));
    const err = await fetchConsentPdf('c1').catch((e: unknown) => e);
    expect(isApiError(err) && err.status === 409 && err.message === 'Not signed yet').toBe(true);
  });
});
