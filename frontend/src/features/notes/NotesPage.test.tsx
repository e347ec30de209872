import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Note, NoteTemplate } from '../../api/notes';
import { resetApiClient } from '../../lib/api';
import { CLINIC, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import NotesPage from './NotesPage';

const PATIENT = {
  id: 'p-1',
  firstName: 'Jordan',
  lastName: 'Avery',
  dateOfBirth: '1986-04-12',
  status: 'active',
  allergyAlert: false,
  allergies: [],
  medications: [],
  conditions: [],
};

const TEMPLATES: NoteTemplate[] = [
  {
    id: 't-soap',
    name: 'Emergency exam',
    type: 'soap',
    subjective: 'Pain on chewing, lower left.',
    objective: 'Tooth #19 tender to percussion.',
    assessment: 'Cracked tooth suspected.',
    plan: 'Crown recommended.',
    body: '',
  },
  { id: 't-proc', name: 'Composite filling', type: 'procedure', subjective: '', objective: '', assessment: '', plan: '', body: 'Local anaesthetic given.' },
];

function note(extra: Partial<Note> = {}): Note {
  return {
    id: 'n-1',
    patientId: 'p-1',
    type: 'soap',
    subjective: 'S text',
    objective: 'O text',
    assessment: 'A text',
    plan: 'P text',
    body: '',
    status: 'signed',
    authorId: 'u-dentist',
    authorRole: 'dentist',
    createdAt: '2031-01-01T10:00:00Z',
    updatedAt: '2031-01-01T10:00:00Z',
    signedAt: '2031-01-01T10:05:00Z',
    signedBy: 'u-dentist',
    amends: null,
    amendments: [],
    ...extra,
  };
}

function renderPage() {
  return renderWithQuery(
    <MemoryRouter initialEntries={['/patients/p-1/notes']}>
      <Routes>
        <Route path="/patients/:id/notes" element={<NotesPage />} />
      </Routes>
    </MemoryRouter>,
  );
}

describe('NotesPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let notes: Note[];
  let calls: { method: string; url: string; body: unknown }[];

  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession({ ...me('dentist'), clinic: CLINIC });
    notes = [];
    calls = [];
    const record = (url: URL, init: RequestInit | undefined) =>
      calls.push({ method: init?.method ?? 'GET', url: url.pathname, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/patients/p-1': PATIENT,
        'GET /api/providers': { items: [{ id: 'pr-1', name: 'Dr. Ada Moss', userId: 'u-other', active: true }] },
        'GET /api/note-templates': { items: TEMPLATES },
        'GET /api/patients/p-1/notes': () => jsonResponse({ items: notes }),
        'POST /api/patients/p-1/notes': (url: URL, init: RequestInit | undefined) => {
          record(url, init);
          const body = JSON.parse(String(init?.body));
          const created = note({ id: 'n-new', ...body, status: 'draft', signedAt: null, signedBy: null, createdAt: '2031-02-01T10:00:00Z' });
          notes = [created, ...notes];
          return jsonResponse(created, 201);
        },
        'POST /api/notes/n-new/sign': (url: URL, init: RequestInit | undefined) => {
          record(url, init);
          const signed = { ...notes.find((n) => n.id === 'n-new')!, status: 'signed' as const, signedAt: '2031-02-01T10:10:00Z', signedBy: 'u-dentist' };
          notes = notes.map((n) => (n.id === 'n-new' ? signed : n));
          return jsonResponse(signed);
        },
        'POST /api/notes/n-1/amend': (url: URL, init: RequestInit | undefined) => {
          record(url, init);
          const body = JSON.parse(String(init?.body));
          const amendment = note({ id: 'n-am', ...body, amends: 'n-1', createdAt: '2031-01-02T09:00:00Z', signedAt: '2031-01-02T09:00:00Z' });
          notes = [amendment, ...notes.map((n) => (n.id === 'n-1' ? { ...n, amendments: ['n-am'] } : n))];
          return jsonResponse(amendment, 201);
        },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  it('prefills a SOAP note from a template, confirms before signing, and signs', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'New note' }));
    const editor = screen.getByRole('region', { name: 'New note' });
    await screen.findByRole('option', { name: /Emergency exam/ });
    await user.selectOptions(within(editor).getByLabelText('Template'), 't-soap');
    expect(within(editor).getByLabelText('Subjective')).toHaveValue('Pain on chewing, lower left.');
    expect(within(editor).getByLabelText('Objective')).toHaveValue('Tooth #19 tender to percussion.');
    expect(within(editor).getByLabelText('Assessment')).toHaveValue('Cracked tooth suspected.');
    expect(within(editor).getByLabelText('Plan')).toHaveValue('Crown recommended.');
    expect(within(editor).getByLabelText('Type of note')).toHaveValue('soap');

    // A procedure template is one body.
    await user.selectOptions(within(editor).getByLabelText('Template'), 't-proc');
    expect(within(editor).queryByLabelText('Subjective')).not.toBeInTheDocument();
    expect(within(editor).getByLabelText('Note')).toHaveValue('Local anaesthetic given.');
    await user.selectOptions(within(editor).getByLabelText('Template'), 't-soap');
    await user.type(within(editor).getByLabelText('Plan'), ' Book next week.');

    await user.click(within(editor).getByRole('button', { name: 'Sign' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Sign this note?' });
    expect(confirm).toHaveTextContent('Signed notes cannot be changed');
    expect(calls).toHaveLength(0);
    await user.click(within(confirm).getByRole('button', { name: 'Sign note' }));

    await waitFor(() => expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/patients/p-1/notes', 'POST /api/notes/n-new/sign']));
    expect(calls[0]!.body).toEqual({
      type: 'soap',
      templateId: 't-soap',
      subjective: 'Pain on chewing, lower left.',
      objective: 'Tooth #19 tender to percussion.',
      assessment: 'Cracked tooth suspected.',
      plan: 'Crown recommended. Book next week.',
    });
    const card = await screen.findByRole('article', { name: /SOAP note/ });
    expect(within(card).getByText('Signed')).toBeInTheDocument();
    expect(within(card).getByRole('button', { name: 'Amend this note' })).toBeInTheDocument();
  });

  it('shows a signed note read-only; Amend adds a signed amendment under it with who and when', async () => {
    const user = userEvent.setup();
    notes = [note()];
    renderPage();
    const card = await screen.findByRole('article', { name: /SOAP note/ });
    expect(within(card).queryByRole('textbox')).not.toBeInTheDocument();
    expect(within(card).queryByRole('button', { name: /Edit/ })).not.toBeInTheDocument();
    expect(card).toHaveTextContent('Signed by you (Grace Kim)');

    await user.click(within(card).getByRole('button', { name: 'Amend this note' }));
    const editor = screen.getByRole('region', { name: 'Amend this SOAP note' });
    const assessment = within(editor).getByLabelText('Assessment');
    expect(assessment).toHaveValue('A text');
    await user.clear(assessment);
    await user.type(assessment, 'Corrected assessment');
    await user.click(within(editor).getByRole('button', { name: 'Sign amendment' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Sign this amendment?' });
    await user.click(within(confirm).getByRole('button', { name: 'Sign amendment' }));

    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/notes/n-1/amend', body: { assessment: 'Corrected assessment', subjective: 'S text' } });
    const amendments = await screen.findByRole('list', { name: 'Amendments' });
    const amendment = within(amendments).getByRole('article', { name: /Amendment/ });
    expect(amendment).toHaveTextContent('Corrected assessment');
    expect(amendment).toHaveTextContent(/Amended and signed by you \(Grace Kim\) on/);
    // The original is still there, unchanged.
    expect(screen.getByRole('article', { name: /SOAP note/ })).toHaveTextContent('A text');
  });

  it("shows another clinician's draft read-only", async () => {
    notes = [note({ status: 'draft', signedAt: null, signedBy: null, authorId: 'u-other', authorRole: 'hygienist' })];
    renderPage();
    const card = await screen.findByRole('article', { name: /SOAP note/ });
    expect(within(card).getByText('Draft')).toBeInTheDocument();
    expect(card).toHaveTextContent('Draft by Dr. Ada Moss, hygienist');
    expect(within(card).getByText('Only its author can change this draft.')).toBeInTheDocument();
    expect(within(card).queryByRole('button')).not.toBeInTheDocument();
  });

  it('lets an assistant save drafts but not sign', async () => {
    useSessionStore.getState().setSession({ ...me('assistant'), clinic: CLINIC });
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'New note' }));
    const editor = screen.getByRole('region', { name: 'New note' });
    expect(within(editor).getByRole('button', { name: 'Save draft' })).toBeInTheDocument();
    expect(within(editor).queryByRole('button', { name: 'Sign' })).not.toBeInTheDocument();
  });
});
