import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PatientDocument } from '../../api/documents';
import { FakeXHR, htmlAsJpeg, jpegFile, withSize } from '../../api/documents.testing';
import { resetApiClient } from '../../lib/api';
import { CLINIC, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import DocumentsPage from './DocumentsPage';

const PATIENT = {
  id: 'p-1',
  firstName: 'Jordan',
  lastName: 'Avery',
  dateOfBirth: '1986-04-12',
  status: 'active',
  allergyAlert: true,
  allergies: [{ substance: 'Penicillin', severity: 'severe' }],
  medications: [],
  conditions: [],
};

function doc(extra: Partial<PatientDocument> = {}): PatientDocument {
  return {
    id: 'd-1',
    patientId: 'p-1',
    kind: 'xray',
    fileName: 'bitewing-left.jpg',
    contentType: 'image/jpeg',
    size: 48_000,
    tooth: '19',
    takenOn: '2026-11-30',
    description: 'Left bitewing',
    status: 'stored',
    uploadedBy: 'u-receptionist',
    createdAt: '2026-11-30T15:00:00Z',
    storedAt: '2026-11-30T15:00:02Z',
    archivedAt: null,
    previewUrl: '/_s3/preview/d-1',
    ...extra,
  };
}

type Body = Record<string, unknown>;

/** The document as the list gives it when it has no preview (not a stored image). */
function noPreview(d: PatientDocument): PatientDocument {
  const { previewUrl: _, ...rest } = d;
  return rest;
}

describe('DocumentsPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let items: PatientDocument[];
  let created: Body[];
  let listQueries: URLSearchParams[];
  let completeAnswer: 'ok' | '422';
  let downloads: string[];

  beforeEach(() => {
    resetApiClient();
    FakeXHR.reset();
    useSessionStore.getState().setSession({ ...me('receptionist'), clinic: CLINIC });
    items = [doc()];
    created = [];
    listQueries = [];
    downloads = [];
    completeAnswer = 'ok';
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/patients/p-1': PATIENT,
        'GET /api/patients/p-1/documents': (url: URL) => {
          listQueries.push(url.searchParams);
          const kind = url.searchParams.get('kind');
          const tooth = url.searchParams.get('tooth');
          const status = url.searchParams.get('status') ?? 'stored';
          return jsonResponse({
            items: items.filter(
              (d) => (!kind || d.kind === kind) && (!tooth || d.tooth === tooth) && (status === 'all' || d.status === status),
            ),
          });
        },
        'POST /api/patients/p-1/documents': (_url: URL, init: RequestInit | undefined) => {
          const body = JSON.parse(String(init?.body)) as Body;
          created.push(body);
          const id = `new-${created.length}`;
          const pending = noPreview(doc({ ...(body as Partial<PatientDocument>), id, status: 'pending' }));
          return jsonResponse(
            { id, uploadUrl: `/_s3/clinic/${id}?sig=1`, uploadHeaders: { 'Content-Type': body.contentType, 'Content-Length': String(body.size) }, expiresAt: '2026-12-01T00:15:00Z', document: pending },
            201,
          );
        },
        'POST /api/documents/new-1/complete': () => {
          if (completeAnswer === '422') {
            return jsonResponse({ error: { code: 'unprocessable', message: 'the file is not a JPEG', requestId: 'r-422' } }, 422);
          }
          const stored = doc({ ...(created[0] as Partial<PatientDocument>), id: 'new-1', status: 'stored', previewUrl: '/_s3/preview/new-1' });
          items = [stored, ...items];
          return jsonResponse(stored);
        },
        'GET /api/documents/d-1': (url: URL) => {
          downloads.push(url.searchParams.get('disposition') ?? '');
          return jsonResponse({ ...doc(), downloadUrl: `/_s3/get/d-1?n=${downloads.length}` });
        },
        'POST /api/documents/d-1/archive': () => {
          items = items.map((d) => (d.id === 'd-1' ? noPreview({ ...d, status: 'archived', archivedAt: '2026-12-01T10:00:00Z' }) : d));
          return jsonResponse(items.find((d) => d.id === 'd-1'));
        },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
    vi.stubGlobal('XMLHttpRequest', FakeXHR);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    useSessionStore.getState().setSession({ ...me('receptionist'), clinic: CLINIC });
  });

  function renderPage() {
    return renderWithQuery(
      <MemoryRouter initialEntries={['/patients/p-1/documents']}>
        <Routes>
          <Route path="/patients/:id/documents" element={<DocumentsPage />} />
        </Routes>
      </MemoryRouter>,
    );
  }

  const fileInput = () => screen.getByLabelText<HTMLInputElement>('Files to upload');
  const uploads = () => screen.getByRole('list', { name: 'Uploads' });
  const row = (name: string) => {
    const found = uploads().querySelector<HTMLElement>(`[data-upload="${name}"]`);
    if (!found) throw new Error(`no upload row for ${name}`);
    return found;
  };

  it('shows the patient, the allergy alert and the thumbnails with their alt text', async () => {
    renderPage();
    expect(await screen.findByRole('heading', { level: 1, name: /Documents — Jordan Avery/ })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('Penicillin');
    const img = await screen.findByRole('img', { name: 'X-ray, tooth 19, 2026-11-30' });
    expect(img).toHaveAttribute('loading', 'lazy');
    expect(img).toHaveAttribute('src', '/_s3/preview/d-1');
    expect(screen.getByText('Left bitewing')).toBeInTheDocument();
    expect(listQueries[0]?.get('status')).toBe('stored');
  });

  it('uploads a file in three steps with progress, then the list refreshes with the new thumbnail', async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByRole('img', { name: 'X-ray, tooth 19, 2026-11-30' });
    const card = screen.getByRole('region', { name: 'Add documents' });
    await user.selectOptions(within(card).getByLabelText('Kind'), 'photo');
    await user.selectOptions(within(card).getByLabelText(/^Tooth/), '8');
    fireEvent.change(within(card).getByLabelText(/^Date taken/), { target: { value: '2026-11-29' } });
    await user.type(within(card).getByLabelText(/^Description/), 'Smile, front');

    const file = jpegFile('smile.jpg');
    await user.upload(fileInput(), file);

    await waitFor(() => expect(FakeXHR.instances).toHaveLength(1));
    expect(created[0]).toEqual({
      kind: 'photo',
      fileName: 'smile.jpg',
      contentType: 'image/jpeg',
      size: file.size,
      tooth: '8',
      takenOn: '2026-11-29',
      description: 'Smile, front',
    });
    const xhr = FakeXHR.instances[0]!;
    expect(xhr.method).toBe('PUT');
    expect(xhr.url).toBe('/_s3/clinic/new-1?sig=1');
    expect(xhr.headers).toEqual({ 'Content-Type': 'image/jpeg', 'Content-Length': String(file.size) });
    expect(xhr.withCredentials).toBe(false);

    act(() => xhr.progress(11, 22));
    expect(within(row('smile.jpg')).getByRole('progressbar', { name: 'Upload of smile.jpg' })).toHaveAttribute('value', '50');
    expect(row('smile.jpg')).toHaveTextContent('Uploading… 50%');
    // Nothing is completed before the bytes are in.
    expect(fetchMock.mock.calls.some(([u]) => String(u).includes('/complete'))).toBe(false);

    act(() => {
      xhr.progress(22, 22);
      xhr.respond(200);
    });
    await waitFor(() => expect(row('smile.jpg')).toHaveTextContent('Uploaded'));
    expect(await screen.findByRole('img', { name: 'Photo, tooth 8, 2026-11-29' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('smile.jpg uploaded.');
  });

  it('refuses the wrong type, a file over 25 MB and an HTML page named .jpg before sending anything; each file is its own row', async () => {
    const user = userEvent.setup({ applyAccept: false });
    renderPage();
    await screen.findByRole('img', { name: 'X-ray, tooth 19, 2026-11-30' });
    const zone = screen.getByTestId('doc-drop');
    fireEvent.drop(zone, {
      dataTransfer: {
        files: [
          new File(['hello'], 'notes.txt', { type: 'text/plain' }),
          withSize(jpegFile('huge.jpg'), 26 * 1024 * 1024),
          htmlAsJpeg('page.jpg'),
        ],
      },
    });
    await waitFor(() => expect(row('page.jpg')).toHaveTextContent('Not uploaded'));
    expect(row('notes.txt')).toHaveTextContent('This type of file is not accepted: choose a JPEG, PNG, PDF or DICOM (.dcm) file.');
    expect(row('huge.jpg')).toHaveTextContent('The file is 26 MB: the largest accepted is 25 MB.');
    expect(row('page.jpg')).toHaveTextContent('The file is not a JPEG');
    expect(created).toHaveLength(0);
    expect(FakeXHR.instances).toHaveLength(0);

    await user.click(within(row('notes.txt')).getByRole('button', { name: 'Dismiss notes.txt' }));
    expect(uploads().querySelector('[data-upload="notes.txt"]')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Clear finished' }));
    expect(screen.queryByRole('list', { name: 'Uploads' })).not.toBeInTheDocument();
  });

  it("shows the server's 422 at complete on that file's row, and the list keeps what it had", async () => {
    completeAnswer = '422';
    const user = userEvent.setup();
    renderPage();
    await screen.findByRole('img', { name: 'X-ray, tooth 19, 2026-11-30' });
    await user.upload(fileInput(), jpegFile('odd.jpg'));
    await waitFor(() => expect(FakeXHR.instances).toHaveLength(1));
    act(() => FakeXHR.instances[0]!.respond(200));
    await waitFor(() => expect(row('odd.jpg')).toHaveTextContent('Not uploaded: the file is not a JPEG'));
    expect(screen.getAllByRole('img')).toHaveLength(1);
  });

  it('shows a 400 from the slot request on the row, with its field message', async () => {
    fetchMock.mockImplementationOnce(fetchMock.getMockImplementation()!); // the patient
    const base = fetchMock.getMockImplementation()!;
    fetchMock.mockImplementation(async (input, init) => {
      if (init?.method === 'POST' && String(input).endsWith('/api/patients/p-1/documents')) {
        return jsonResponse(
          { error: { code: 'invalid', message: 'validation failed', requestId: 'r-400', fields: [{ field: 'size', message: 'size: at most 25 MB' }] } },
          400,
        );
      }
      return base(input, init);
    });
    const user = userEvent.setup();
    renderPage();
    await screen.findByRole('img', { name: 'X-ray, tooth 19, 2026-11-30' });
    await user.upload(fileInput(), jpegFile('a.jpg'));
    await waitFor(() => expect(row('a.jpg')).toHaveTextContent('Not uploaded: validation failed size: at most 25 MB'));
    expect(FakeXHR.instances).toHaveLength(0);
  });

  it('filters by kind and by tooth (FDI labels, Universal values) and shows archived ones on request', async () => {
    useSessionStore.getState().setSession({
      ...me('receptionist'),
      clinic: { ...CLINIC, settings: { ...CLINIC.settings, toothNumbering: 'fdi' } },
    });
    items = [doc(), doc({ id: 'd-2', kind: 'photo', tooth: null, takenOn: '2026-10-01', fileName: 'smile.png', contentType: 'image/png', previewUrl: '/_s3/preview/d-2' }), noPreview(doc({ id: 'd-3', kind: 'referral', tooth: null, contentType: 'application/pdf', fileName: 'letter.pdf', status: 'archived', archivedAt: '2026-11-30T18:00:00Z' }))];
    const user = userEvent.setup();
    renderPage();
    expect(await screen.findByRole('img', { name: 'X-ray, tooth 36, 2026-11-30' })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'Photo, 2026-10-01' })).toBeInTheDocument();
    expect(screen.getByText('· Tooth 36')).toBeInTheDocument();

    const filters = screen.getByRole('form', { name: 'Filter documents' });
    await user.selectOptions(within(filters).getByLabelText('Kind'), 'photo');
    await waitFor(() => expect(screen.queryByRole('img', { name: /X-ray/ })).not.toBeInTheDocument());
    expect(listQueries.at(-1)?.get('kind')).toBe('photo');
    expect(screen.getByRole('img', { name: 'Photo, 2026-10-01' })).toBeInTheDocument();

    await user.selectOptions(within(filters).getByLabelText('Kind'), '');
    const tooth = within(filters).getByLabelText('Tooth');
    expect(within(tooth).getByRole('option', { name: '36 — lower left first molar' })).toHaveValue('19');
    await user.selectOptions(tooth, '19');
    await waitFor(() => expect(screen.queryByRole('img', { name: /Photo/ })).not.toBeInTheDocument());
    expect(listQueries.at(-1)?.get('tooth')).toBe('19');
    expect(listQueries.at(-1)?.get('kind')).toBeNull();

    await user.selectOptions(tooth, '');
    expect(screen.queryByText('letter.pdf', { exact: false })).not.toBeInTheDocument();
    await user.click(within(filters).getByRole('checkbox', { name: 'Show archived' }));
    expect(await screen.findByText(/letter\.pdf/)).toBeInTheDocument();
    expect(listQueries.at(-1)?.get('status')).toBe('all');
    expect(screen.getByText('Archived')).toBeInTheDocument();
  });

  it('archives after a confirmation', async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByRole('img', { name: 'X-ray, tooth 19, 2026-11-30' });
    await user.click(screen.getByRole('button', { name: 'Archive X-ray, tooth 19, 2026-11-30' }));
    const dialog = screen.getByRole('dialog', { name: 'Archive X-ray, tooth 19, 2026-11-30?' });
    await user.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    expect(fetchMock.mock.calls.some(([u]) => String(u).includes('/archive'))).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Archive X-ray, tooth 19, 2026-11-30' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Archive' }));
    await waitFor(() => expect(screen.queryByRole('img', { name: /X-ray/ })).not.toBeInTheDocument());
    expect(screen.getByText('No documents yet.', { exact: false })).toBeInTheDocument();
  });

  it('opens an image in the viewer with a fresh URL; + − 0 zoom, Escape closes and focus returns', async () => {
    const user = userEvent.setup();
    renderPage();
    const thumb = (await screen.findByRole('img', { name: 'X-ray, tooth 19, 2026-11-30' })).closest('button')!;
    await user.click(thumb);
    const dialog = screen.getByRole('dialog', { name: 'X-ray, tooth 19, 2026-11-30' });
    const image = await within(dialog).findByRole('img', { name: 'X-ray, tooth 19, 2026-11-30' });
    expect(image).toHaveAttribute('src', '/_s3/get/d-1?n=1');
    expect(downloads).toEqual(['inline']);
    const stage = within(dialog).getByRole('group', { name: /zoom 100%/ });
    expect(stage).toHaveFocus();
    const level = within(dialog).getByRole('status', { name: 'Zoom level' });
    expect(level).toHaveTextContent('100%');
    expect(within(dialog).getByRole('button', { name: /Zoom out/ })).toBeDisabled();

    await user.keyboard('+');
    expect(level).toHaveTextContent('125%');
    await user.keyboard('++');
    expect(level).toHaveTextContent('200%');
    expect(image.style.transform).toContain('scale(2)');
    await user.keyboard('-');
    expect(level).toHaveTextContent('150%');
    await user.keyboard('0');
    expect(level).toHaveTextContent('100%');
    await user.click(within(dialog).getByRole('button', { name: /Zoom in/ }));
    expect(level).toHaveTextContent('125%');
    await user.click(within(dialog).getByRole('button', { name: 'Reset' }));
    expect(level).toHaveTextContent('100%');

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(thumb).toHaveFocus();

    // Opening again asks for a fresh URL.
    await user.keyboard('{Enter}');
    await within(screen.getByRole('dialog')).findByRole('img', { name: 'X-ray, tooth 19, 2026-11-30' });
    expect(downloads).toEqual(['inline', 'inline']);
  });
});
