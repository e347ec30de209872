import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import type { PatientSummary } from '../../lib/types';
import { routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import PatientsPage from './PatientsPage';

const people: PatientSummary[] = [
  { id: 'pa-1', firstName: 'Maria', lastName: 'Costa', dateOfBirth: '1981-12-24', phone: '+1 555 0102', status: 'active', allergyAlert: true },
  { id: 'pa-2', firstName: 'Lucas', lastName: 'Costa', dateOfBirth: '1958-05-25', status: 'active', allergyAlert: false },
  { id: 'pa-3', firstName: 'Ana', lastName: 'Silva', dateOfBirth: '1990-01-02', status: 'active', allergyAlert: false },
];

function renderPage() {
  return renderWithQuery(
    <MemoryRouter initialEntries={['/patients']}>
      <Routes>
        <Route path="/patients" element={<PatientsPage />} />
        <Route path="/patients/new" element={<h1>New patient form</h1>} />
        <Route path="/patients/:id" element={<h1>Profile page</h1>} />
      </Routes>
    </MemoryRouter>,
  );
}

describe('PatientsPage', () => {
  const fetchMock = vi.fn<typeof fetch>();

  beforeEach(() => {
    resetApiClient();
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/patients': (url: URL) => {
          const q = (url.searchParams.get('q') ?? '').toLowerCase();
          const items = people.filter((p) => `${p.firstName} ${p.lastName}`.toLowerCase().includes(q));
          return jsonResponse({ items, nextCursor: null });
        },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  const searches = () =>
    fetchMock.mock.calls.map(([u]) => new URL(String(u), 'http://x').searchParams.get('q')).filter((q) => q !== null);

  it('searches once the typing pauses (debounced) and lists the matches as links', async () => {
    const user = userEvent.setup();
    renderPage();
    // Everyone first, before anything is typed.
    const list = await screen.findByRole('list', { name: 'Patients found' });
    expect(within(list).getAllByRole('link')).toHaveLength(3);

    await user.type(screen.getByRole('searchbox', { name: 'Search patients' }), 'costa');
    await waitFor(() => expect(within(list).getAllByRole('link')).toHaveLength(2));
    // One request for the whole word, none per keystroke.
    expect(searches()).toEqual(['costa']);
    expect(within(list).getByRole('link', { name: /Maria Costa/ })).toHaveAttribute('href', '/patients/pa-1');
    expect(within(list).getAllByText('Allergy alert')).toHaveLength(1);
    expect(screen.getByRole('status')).toHaveTextContent('2 patients match “costa”');
  });

  it('moves through the results with the arrow keys and opens one with Enter', async () => {
    const user = userEvent.setup();
    renderPage();
    const input = screen.getByRole('searchbox', { name: 'Search patients' });
    const list = await screen.findByRole('list', { name: 'Patients found' });
    const links = within(list).getAllByRole('link');
    input.focus();
    await user.keyboard('{ArrowDown}');
    expect(links[0]).toHaveFocus();
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(links[2]).toHaveFocus();
    await user.keyboard('{ArrowUp}{ArrowUp}{ArrowUp}');
    expect(input).toHaveFocus();
    await user.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    expect(await screen.findByRole('heading', { name: 'Profile page' })).toBeInTheDocument();
  });

  it('offers "Add patient" when nothing matches', async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByRole('list', { name: 'Patients found' });
    await user.type(screen.getByRole('searchbox', { name: 'Search patients' }), 'zzz');
    expect(await screen.findByRole('heading', { name: 'No matching patients' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('No patients match “zzz”.');
    const adds = screen.getAllByRole('link', { name: 'Add patient' });
    await user.click(adds[adds.length - 1]!);
    expect(await screen.findByRole('heading', { name: 'New patient form' })).toBeInTheDocument();
  });
});
