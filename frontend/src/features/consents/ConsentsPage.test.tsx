import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Consent, ConsentTemplate } from '../../api/consents';
import { resetApiClient } from '../../lib/api';
import { CLINIC, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import ConsentsPage from './ConsentsPage';
import ConsentTemplatesPage from './ConsentTemplatesPage';

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

function template(extra: Partial<ConsentTemplate> = {}): ConsentTemplate {
  return {
    id: 'ct-1',
    version: 2,
    title: 'Consent to treatment',
    kind: 'treatment',
    body: 'I agree to the treatment described.\n\nI understand the risks.',
    active: true,
    hash: 'abc',
    createdAt: '2031-01-01T10:00:00Z',
    createdBy: 'u-admin',
    ...extra,
  };
}

function consent(extra: Partial<Consent> = {}): Consent {
  return {
    id: 'c-1',
    patientId: 'p-1',
    templateId: 'ct-1',
    templateVersion: 2,
    title: 'Consent to treatment',
    kind: 'treatment',
    body: 'I agree to the treatment described.\n\nI understand the risks.',
    bodyHash: 'deadbeefcafe0000',
    status: 'pending',
    sentAt: '2031-01-02T15:00:00Z',
    sentBy: 'u-receptionist',
    planId: null,
    appointmentId: null,
    signature: null,
    ...extra,
  };
}

function renderTab() {
  return renderWithQuery(
    <MemoryRouter initialEntries={['/patients/p-1/consents']}>
      <Routes>
        <Route path="/patients/:id/consents" element={<ConsentsPage />} />
      </Routes>
    </MemoryRouter>,
  );
}

describe('ConsentsPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let items: Consent[];
  let posts: unknown[];

  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession({ ...me('receptionist'), clinic: CLINIC });
    items = [
      consent({ id: 'c-old', title: 'Privacy notice', kind: 'privacy', status: 'signed', sentAt: '2030-06-01T10:00:00Z',
        signature: { name: 'Jordan Avery', signedAt: '2030-06-01T11:00:00Z', signerPatientId: 'p-1', onBehalfOf: null } }),
      consent({ id: 'c-guard', title: 'Anaesthesia consent', kind: 'anaesthesia', status: 'signed', sentAt: '2030-07-01T10:00:00Z',
        signature: { name: 'Casey Avery', signedAt: '2030-07-01T11:00:00Z', signerPatientId: 'p-2', onBehalfOf: 'p-1' } }),
    ];
    posts = [];
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/patients/p-1': PATIENT,
        'GET /api/providers': { items: [] },
        'GET /api/consent-templates': {
          items: [template(), template({ id: 'ct-2', title: 'Old form', active: false }), template({ id: 'ct-3', title: 'Financial agreement', kind: 'financial', version: 1 })],
        },
        'GET /api/patients/p-1/treatment-plans': {
          items: [{ id: 'tp-1', patientId: 'p-1', title: 'Crown on 19', status: 'presented', groupId: 'g', items: [], totalCents: 0, estimate: null, estimateStatus: 'not_estimated', acceptance: null, createdAt: '2031-01-01T10:00:00Z' }],
        },
        'GET /api/patients/p-1/consents': () => jsonResponse({ items }),
        'POST /api/patients/p-1/consents': (_url: URL, init: RequestInit | undefined) => {
          const body = JSON.parse(String(init?.body));
          posts.push(body);
          const created = consent({ id: `c-${posts.length}`, templateId: body.templateId, planId: body.planId ?? null });
          items = [created, ...items];
          return jsonResponse(created, 201);
        },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  it('sends a form with an optional plan, and lists pending and signed forms with who signed', async () => {
    const user = userEvent.setup();
    renderTab();
    await screen.findByRole('heading', { name: /Consents — Jordan Avery/ });
    const form = await screen.findByRole('form', { name: 'Send a form to sign' });
    const select = within(form).getByLabelText('Form');
    // Inactive templates are not offered.
    expect(within(select).queryByRole('option', { name: /Old form/ })).not.toBeInTheDocument();

    await user.click(within(form).getByRole('button', { name: 'Send to patient' }));
    expect(within(form).getByText('Choose the form to send.')).toBeInTheDocument();
    expect(posts).toHaveLength(0);

    await user.selectOptions(select, 'ct-1');
    await user.selectOptions(within(form).getByLabelText('Treatment plan (optional)'), 'tp-1');
    await user.click(within(form).getByRole('button', { name: 'Send to patient' }));
    await waitFor(() => expect(posts).toEqual([{ templateId: 'ct-1', planId: 'tp-1' }]));

    // Without a plan the body has no planId at all.
    await user.selectOptions(select, 'ct-3');
    await user.click(within(form).getByRole('button', { name: 'Send to patient' }));
    await waitFor(() => expect(posts[1]).toEqual({ templateId: 'ct-3' }));

    const pending = await screen.findByRole('region', { name: /Pending \(2\)/ });
    expect(within(pending).getAllByText('Pending')).toHaveLength(2);
    expect(pending).toHaveTextContent('for the plan “Crown on 19”');
    expect(pending).toHaveTextContent('Waiting for Jordan Avery to sign it');
    expect(within(pending).queryByRole('button', { name: /Download signed PDF/ })).not.toBeInTheDocument();

    const signed = screen.getByRole('region', { name: /Signed \(2\)/ });
    const rows = within(signed).getAllByRole('listitem');
    expect(rows[0]).toHaveTextContent('Anaesthesia consent');
    expect(rows[0]).toHaveTextContent('Signed “Casey Avery”');
    expect(rows[0]).toHaveTextContent('by a guardian, on behalf of Jordan Avery');
    expect(rows[1]).toHaveTextContent('Signed “Jordan Avery”');
    expect(rows[1]).not.toHaveTextContent('on behalf of');
    expect(within(rows[1]!).getByRole('button', { name: /Download signed PDF of Privacy notice/ })).toBeInTheDocument();
    // No templates link for the front desk.
    expect(screen.queryByRole('link', { name: 'Consent templates' })).not.toBeInTheDocument();
  });

  it('opens a form to read its exact text, and downloads a signed PDF', async () => {
    const user = userEvent.setup();
    const created: Blob[] = [];
    const pdf = new Blob(['%PDF-1.4 test'], { type: 'application/pdf' });
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/patients/p-1': PATIENT,
        'GET /api/providers': { items: [] },
        'GET /api/consent-templates': { items: [template()] },
        'GET /api/patients/p-1/treatment-plans': { items: [] },
        'GET /api/patients/p-1/consents': () => jsonResponse({ items }),
        'GET /api/consents/c-old/pdf': () => new Response(pdf, { status: 200, headers: { 'Content-Type': 'application/pdf' } }),
      }),
    );
    const createObjectURL = vi.fn((b: Blob) => {
      created.push(b);
      return 'blob:x';
    });
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    renderTab();
    const signed = await screen.findByRole('region', { name: /Signed \(2\)/ });
    await user.click(within(signed).getByRole('button', { name: 'Read Privacy notice' }));
    const dialog = screen.getByRole('dialog', { name: 'Privacy notice' });
    expect(dialog).toHaveTextContent('The text Jordan Avery signed (version 2, fingerprint deadbeefcafe)');
    expect(within(dialog).getByText('I understand the risks.')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Download signed PDF' }));
    await waitFor(() => expect(click).toHaveBeenCalled());
    expect(created[0]?.type).toBe('application/pdf');
    const url = new URL(String(fetchMock.mock.calls.find(([u]) => String(u).endsWith('/pdf'))?.[0]), 'http://localhost');
    expect(url.pathname).toBe('/api/consents/c-old/pdf');
    click.mockRestore();
  });

  it('links the templates page for admins', async () => {
    useSessionStore.getState().setSession({ ...me('admin'), clinic: CLINIC });
    renderTab();
    expect(await screen.findByRole('link', { name: 'Consent templates' })).toHaveAttribute('href', '/consent-templates');
  });
});

describe('ConsentTemplatesPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let list: ConsentTemplate[];
  let patches: unknown[];
  let conflictOnce: boolean;

  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession({ ...me('admin'), clinic: CLINIC });
    list = [template()];
    patches = [];
    conflictOnce = false;
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/consent-templates': (url: URL) => {
          expect(url.searchParams.get('all')).toBe('true');
          return jsonResponse({ items: list });
        },
        'POST /api/consent-templates': (_url: URL, init: RequestInit | undefined) => {
          const body = JSON.parse(String(init?.body));
          const created = template({ id: 'ct-9', version: 1, ...body });
          list = [...list, created];
          return jsonResponse(created, 201);
        },
        'PATCH /api/consent-templates/ct-1': (_url: URL, init: RequestInit | undefined) => {
          const body = JSON.parse(String(init?.body));
          patches.push(body);
          if (conflictOnce) {
            conflictOnce = false;
            list = [template({ version: 3, body: 'Their newer text.' })];
            return jsonResponse({ error: { code: 'conflict', message: 'stale version', requestId: 'r-409' } }, 409);
          }
          const current = list[0]!;
          const next = { ...current, ...body, version: current.version + 1 };
          list = [next];
          return jsonResponse(next);
        },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  function renderPage() {
    return renderWithQuery(
      <MemoryRouter>
        <ConsentTemplatesPage />
      </MemoryRouter>,
    );
  }

  it('edits a template as a new version and says so', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Edit Consent to treatment' }));
    const form = screen.getByRole('form', { name: 'Edit “Consent to treatment”' });
    expect(form).toHaveTextContent('Saving creates version 3; forms already sent keep their text.');
    const body = within(form).getByLabelText('Text the patient reads and signs');
    await user.clear(body);
    await user.type(body, 'New wording.');
    await user.click(within(form).getByRole('button', { name: 'Save version 3' }));
    await waitFor(() => expect(patches).toEqual([{ title: 'Consent to treatment', body: 'New wording.', version: 2 }]));
    expect(await screen.findByText(/version 3 · saved/)).toBeInTheDocument();
  });

  it('on 409 says someone saved first, reloads their version and keeps the unsaved text', async () => {
    const user = userEvent.setup();
    conflictOnce = true;
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Edit Consent to treatment' }));
    const form = screen.getByRole('form', { name: 'Edit “Consent to treatment”' });
    const body = within(form).getByLabelText('Text the patient reads and signs');
    await user.clear(body);
    await user.type(body, 'My wording.');
    await user.click(within(form).getByRole('button', { name: 'Save version 3' }));
    const alert = await within(form).findByRole('alert');
    expect(alert).toHaveTextContent('Someone else saved this template first');
    expect(alert).toHaveTextContent('It is now version 3');
    expect(body).toHaveValue('Their newer text.');
    expect(within(form).getByLabelText('Your text (not saved)')).toHaveValue('Consent to treatment\n\nMy wording.');
    expect(form).toHaveTextContent('Saving creates version 4');

    await user.click(within(form).getByRole('button', { name: 'Save version 4' }));
    await waitFor(() => expect(patches[1]).toEqual({ title: 'Consent to treatment', body: 'Their newer text.', version: 3 }));
  });

  it('creates a template and deactivates one', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'New template' }));
    const form = screen.getByRole('form', { name: 'New consent template' });
    await user.click(within(form).getByRole('button', { name: 'Create template' }));
    expect(within(form).getByText('Give the template a title.')).toBeInTheDocument();
    expect(within(form).getByText('Choose the kind of form.')).toBeInTheDocument();
    await user.type(within(form).getByLabelText('Title'), 'Sedation consent');
    await user.selectOptions(within(form).getByLabelText('Kind'), 'anaesthesia');
    await user.type(within(form).getByLabelText('Text the patient reads and signs'), 'I agree to sedation.');
    await user.click(within(form).getByRole('button', { name: 'Create template' }));
    expect(await screen.findByRole('heading', { name: /Sedation consent/ })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Deactivate Consent to treatment' }));
    await waitFor(() => expect(patches).toEqual([{ active: false, version: 2 }]));
    expect(await screen.findByRole('button', { name: 'Activate Consent to treatment' })).toBeInTheDocument();
  });

  it('is read-only for staff who are not admins', async () => {
    useSessionStore.getState().setSession({ ...me('dentist'), clinic: CLINIC });
    renderPage();
    expect(await screen.findByRole('heading', { name: /Consent to treatment/ })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New template' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Edit/ })).not.toBeInTheDocument();
  });
});
