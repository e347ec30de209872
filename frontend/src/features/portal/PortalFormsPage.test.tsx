import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Consent } from '../../api/consents';
import { resetApiClient } from '../../lib/api';
import { CLINIC, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import PortalFormsPage, { whoseForm } from './PortalFormsPage';

function consent(extra: Partial<Consent> = {}): Consent {
  return {
    id: 'c-1',
    patientId: 'p-1',
    templateId: 'ct-1',
    templateVersion: 2,
    title: 'Consent to treatment',
    kind: 'treatment',
    body: 'I agree to the treatment my dentist described.\n\nI understand the risks and alternatives.',
    bodyHash: 'abc',
    status: 'pending',
    sentAt: '2031-01-02T15:00:00Z',
    sentBy: 'u-receptionist',
    signature: null,
    patientName: 'Grace Kim',
    ...extra,
  };
}

function renderPage(path = '/portal/forms') {
  return renderWithQuery(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/portal/forms" element={<PortalFormsPage />} />
      </Routes>
    </MemoryRouter>,
  );
}

describe('PortalFormsPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let items: Consent[];
  let signs: unknown[];

  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession({ ...me('patient'), clinic: CLINIC });
    items = [
      consent(),
      consent({ id: 'c-sam', patientId: 'p-2', patientName: 'Sam Kim', title: 'Anaesthesia consent', kind: 'anaesthesia' }),
      consent({ id: 'c-old', title: 'Privacy notice', status: 'signed', sentAt: '2030-01-01T10:00:00Z',
        signature: { name: 'Grace Kim', signedAt: '2030-01-01T11:00:00Z', signerPatientId: 'p-1', onBehalfOf: null } }),
    ];
    signs = [];
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/consents': () => jsonResponse({ items }),
        'POST /api/consents/c-1/sign': (_url: URL, init: RequestInit | undefined) => {
          const body = JSON.parse(String(init?.body));
          signs.push(body);
          if (body.signature !== 'Grace Kim') {
            return jsonResponse(
              { error: { code: 'invalid', message: 'Some details need attention.', requestId: 'r', fields: [{ field: 'signature', message: 'Type your full name as on your record: Grace Kim' }] } },
              400,
            );
          }
          const signed = consent({ status: 'signed', signature: { name: body.signature, signedAt: '2031-01-03T10:00:00Z', signerPatientId: 'p-1', onBehalfOf: null } });
          items = items.map((c) => (c.id === 'c-1' ? signed : c));
          return jsonResponse(signed);
        },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  it('lists pending forms first with whose they are, and signed ones with their PDF', async () => {
    renderPage();
    const pending = await screen.findByRole('region', { name: 'Waiting for your signature (2)' });
    const rows = within(pending).getAllByRole('listitem');
    expect(rows[0]).toHaveTextContent('Consent to treatment');
    expect(rows[0]).toHaveTextContent('For you');
    expect(rows[1]).toHaveTextContent('For Sam Kim (you sign as their parent or guardian)');
    expect(within(rows[1]!).getByRole('link', { name: 'Read and sign Anaesthesia consent for Sam Kim' })).toBeInTheDocument();
    const signed = screen.getByRole('region', { name: 'Signed (1)' });
    expect(signed).toHaveTextContent('Signed “Grace Kim”');
    expect(within(signed).getByRole('button', { name: 'Download PDF of Privacy notice for you' })).toBeInTheDocument();
  });

  it('reads the form, requires a name, shows the 400 inline, then confirms', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('link', { name: /Read and sign Consent to treatment/ }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Consent to treatment' })).toHaveFocus();
    expect(screen.getByText('I understand the risks and alternatives.')).toBeInTheDocument();

    const form = screen.getByRole('form', { name: 'Sign this form' });
    expect(form).toHaveTextContent('legal signature');
    const input = within(form).getByLabelText('Type your full name to sign');
    await user.click(within(form).getByRole('button', { name: 'Sign form' }));
    expect(within(form).getByText('Type your full name to sign.')).toBeInTheDocument();
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(signs).toHaveLength(0);

    await user.type(input, 'Grace');
    await user.click(within(form).getByRole('button', { name: 'Sign form' }));
    expect(await within(form).findByText('Type your full name as on your record: Grace Kim')).toBeInTheDocument();
    expect(input).toHaveFocus();

    await user.type(input, ' Kim');
    await user.click(within(form).getByRole('button', { name: 'Sign form' }));
    const done = await screen.findByRole('status');
    expect(done).toHaveTextContent('Signed. Thank you.');
    expect(done).toHaveTextContent('You signed “Consent to treatment” as “Grace Kim”');
    expect(within(done).getByRole('button', { name: 'Download signed PDF' })).toBeInTheDocument();
    expect(signs).toEqual([{ signature: 'Grace' }, { signature: 'Grace Kim' }]);
    expect(screen.queryByRole('form', { name: 'Sign this form' })).not.toBeInTheDocument();

    await user.click(within(done).getByRole('button', { name: 'Back to your forms' }));
    await waitFor(() => expect(screen.getByRole('region', { name: 'Waiting for your signature (1)' })).toBeInTheDocument());
    expect(screen.getByRole('region', { name: 'Signed (2)' })).toHaveTextContent('Consent to treatment');
  });

  it('words a guardian’s signature for the child', async () => {
    renderPage('/portal/forms?form=c-sam');
    const heading = await screen.findByRole('heading', { level: 1, name: 'Anaesthesia consent' });
    const article = heading.closest('article')!;
    expect(article).toHaveTextContent('For Sam Kim — you sign as their parent or guardian');
    const form = screen.getByRole('form', { name: 'Sign this form' });
    expect(form).toHaveTextContent('You are signing for Sam Kim, as their parent or guardian.');
    expect(form).toHaveTextContent('Your own name, not theirs, as on your record: Grace Kim.');
  });

  it('says when a form was signed elsewhere first (409)', async () => {
    const user = userEvent.setup();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/consents': () => jsonResponse({ items }),
        'POST /api/consents/c-1/sign': () => jsonResponse({ error: { code: 'conflict', message: 'already signed', requestId: 'r' } }, 409),
      }),
    );
    renderPage('/portal/forms?form=c-1');
    const form = await screen.findByRole('form', { name: 'Sign this form' });
    await user.type(within(form).getByLabelText('Type your full name to sign'), 'Grace Kim');
    await user.click(within(form).getByRole('button', { name: 'Sign form' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('This form has already been signed.');
  });

  it('whoseForm', () => {
    expect(whoseForm({ patientId: 'p-1', patientName: 'Grace Kim' }, 'p-1')).toBe('for you');
    expect(whoseForm({ patientId: 'p-2', patientName: 'Sam Avery' }, 'p-1')).toBe('for Sam Avery');
    expect(whoseForm({ patientId: 'p-2' }, 'p-1')).toBe('for a family member');
  });
});
