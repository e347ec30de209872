import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../lib/api';
import { routeFetch } from '../test/fixtures';
import { jsonResponse, renderWithQuery } from '../test/render';
import { FhirDownloadButton } from './FhirDownloadButton';

describe('FhirDownloadButton', () => {
  let fetchMock: ReturnType<typeof vi.fn>;
  let status: number;
  beforeEach(() => {
    resetApiClient();
    status = 200;
    fetchMock = vi.fn(
      routeFetch({
        'GET /api/fhir/Patient/p-1/$everything': () =>
          status === 200
            ? new Response('{"resourceType":"Bundle","type":"searchset"}', { headers: { 'Content-Type': 'application/fhir+json' } })
            : jsonResponse({ error: { code: 'unavailable', message: 'x', requestId: 'r-503' } }, status),
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() }));
  });
  afterEach(() => vi.unstubAllGlobals());

  it('fetches the bundle at $everything and saves patient-<id>.fhir.json', async () => {
    const names: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    renderWithQuery(<FhirDownloadButton patientId="p-1" label="Download my record" />);
    await userEvent.click(screen.getByRole('button', { name: 'Download my record' }));
    await waitFor(() => expect(names).toEqual(['patient-p-1.fhir.json']));
    expect(String(fetchMock.mock.calls[0]![0])).toBe('/api/fhir/Patient/p-1/$everything');
    expect(new Headers((fetchMock.mock.calls[0]![1] as RequestInit).headers).get('Accept')).toMatch(/application\/fhir\+json/);
    click.mockRestore();
  });

  it('says clearly when the export is refused or unavailable', async () => {
    status = 403;
    renderWithQuery(<FhirDownloadButton patientId="p-1" label="Download FHIR record" />);
    await userEvent.click(screen.getByRole('button', { name: 'Download FHIR record' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('You are not allowed to download this record.');
    status = 503;
    await userEvent.click(screen.getByRole('button', { name: 'Download FHIR record' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('unavailable just now'));
  });
});
