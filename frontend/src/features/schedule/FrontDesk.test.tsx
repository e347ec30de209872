import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import type { Appointment, AppointmentType, Operatory, Provider } from '../../lib/types';
import { CLINIC, makeUser, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import { AppointmentDialog } from './AppointmentDialog';
import { BookDialog } from '../../components/booking/BookDialog';
import { possibleDuplicates } from '../../components/booking/NewPatientForm';
import SchedulePage from './SchedulePage';

const TZ = 'America/New_York';
const providers: Provider[] = [
  { id: 'pr-1', name: 'Dr. Maya Okafor', kind: 'dentist', colour: '#1f6feb', hours: null, operatories: ['op-1'], active: true },
];
const operatories: Operatory[] = [{ id: 'op-1', name: 'Operatory 1', active: true }];
const types: AppointmentType[] = [
  { id: 't-1', name: 'Filling', category: 'restorative', durationMinutes: 60, colour: '#000', bookableOnline: false },
];
const ana = { id: 'pa-1', firstName: 'Ana', lastName: 'Silva', dateOfBirth: '1980-01-02', phone: '+15550100', status: 'active', allergyAlert: false };

function renderBook() {
  return renderWithQuery(
    <BookDialog
      open
      onClose={() => {}}
      onBooked={() => {}}
      date="2026-11-25"
      timeZone={TZ}
      providers={providers}
      operatories={operatories}
      types={types}
    />,
  );
}

describe('front desk schedule', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let created: unknown[] = [];

  beforeEach(() => {
    resetApiClient();
    created = [];
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/patients': (url: URL) => {
          const q = (url.searchParams.get('q') ?? '').toLowerCase();
          return jsonResponse({ items: q && 'silva'.startsWith(q) ? [ana] : [], nextCursor: null });
        },
        'POST /api/patients': (_u: URL, init: RequestInit | undefined) => {
          const body = JSON.parse(String(init?.body));
          created.push(body);
          return jsonResponse({ id: 'pa-new', status: 'active', allergyAlert: false, ...body }, 201);
        },
        'POST /api/appointments/a-1/cancel': (_u: URL, init: RequestInit | undefined) =>
          jsonResponse({ ...appt, status: 'cancelled', cancelReason: JSON.parse(String(init?.body)).reason, version: 2 }),
        'GET /api/patients/pa-1': jsonResponse({ ...ana, allergies: [], medications: [], conditions: [] }),
        'GET /api/providers': { items: providers, nextCursor: null },
        'GET /api/operatories': { items: operatories, nextCursor: null },
        'GET /api/appointment-types': { items: types, nextCursor: null },
        'GET /api/appointments': { items: [], nextCursor: null },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('puts focus on the patient field when booking opens, so typing is not lost', async () => {
    renderBook();
    const dialog = screen.getByRole('dialog', { name: 'Book appointment' });
    expect(within(dialog).getByRole('combobox', { name: 'Patient' })).toHaveFocus();
  });

  it('offers "New patient" when no one matches, suggests a duplicate by birth date, and creates on "Create anyway"', async () => {
    const user = userEvent.setup();
    renderBook();
    const dialog = screen.getByRole('dialog', { name: 'Book appointment' });
    await user.keyboard('Zed Quill');
    await user.click(await within(dialog).findByRole('button', { name: 'New patient' }));
    const group = within(dialog).getByRole('group', { name: 'New patient' });
    expect(within(group).getByLabelText('First name')).toHaveFocus();
    expect(within(group).getByLabelText('First name')).toHaveValue('Zed');
    // Re-entering an existing person: Ana Silva, born 1980-01-02.
    await user.clear(within(group).getByLabelText('First name'));
    await user.type(within(group).getByLabelText('First name'), 'Ana');
    await user.clear(within(group).getByLabelText('Last name'));
    await user.type(within(group).getByLabelText('Last name'), 'Silva');
    await user.click(within(group).getByRole('button', { name: 'Create patient' }));
    expect(await within(group).findByText('Enter the date of birth.')).toBeInTheDocument();
    expect(created).toHaveLength(0);
    await user.type(within(group).getByLabelText('Date of birth'), '1980-01-02');
    await user.type(within(group).getByLabelText('Email'), 'ana@example.test');
    await user.click(within(group).getByRole('button', { name: 'Create patient' }));
    expect(await within(group).findByRole('heading', { name: /Possible duplicate/ })).toBeInTheDocument();
    expect(within(group).getByRole('button', { name: /Use this patient: Ana Silva, born 1980-01-02/ })).toBeInTheDocument();
    expect(created).toHaveLength(0);
    await user.click(within(group).getByRole('button', { name: 'Create anyway' }));
    await waitFor(() => expect(created).toEqual([{ firstName: 'Ana', lastName: 'Silva', dateOfBirth: '1980-01-02', email: 'ana@example.test' }]));
    expect(await within(dialog).findByRole('button', { name: 'Change patient' })).toHaveFocus();
  });

  it('"Use this patient" picks the existing record instead of creating', async () => {
    const user = userEvent.setup();
    renderBook();
    const dialog = screen.getByRole('dialog', { name: 'Book appointment' });
    await user.keyboard('Ana Silvaz');
    await user.click(await within(dialog).findByRole('button', { name: 'New patient' }));
    const group = within(dialog).getByRole('group', { name: 'New patient' });
    await user.clear(within(group).getByLabelText('Last name'));
    await user.type(within(group).getByLabelText('Last name'), 'Silva');
    await user.type(within(group).getByLabelText('Date of birth'), '1990-05-05');
    await user.type(within(group).getByLabelText('Phone'), '555-0100{Enter}');
    await user.click(await within(group).findByRole('button', { name: /Use this patient/ }));
    expect(within(dialog).getByText('Ana Silva')).toBeInTheDocument();
    expect(created).toHaveLength(0);
  });

  it('matches duplicates by birth date or phone digits', () => {
    const people = [ana, { ...ana, id: 'x', dateOfBirth: '1999-09-09', phone: '(555) 777-1234' }];
    expect(possibleDuplicates(people, { dateOfBirth: '1980-01-02' }).map((p) => p.id)).toEqual(['pa-1']);
    expect(possibleDuplicates(people, { dateOfBirth: '2000-01-01', phone: '+1 555 777 1234' }).map((p) => p.id)).toEqual(['x']);
    expect(possibleDuplicates(people, { dateOfBirth: '2000-01-01', phone: '' })).toEqual([]);
  });

  it('cancels with a preset reason, or "Other" with its text', async () => {
    const user = userEvent.setup();
    renderWithQuery(
      <MemoryRouter>
        <AppointmentDialog
          appointment={appt}
          onClose={() => {}}
          onUpdated={() => {}}
          providers={providers}
          operatories={operatories}
          types={types}
          patientSummary={ana}
          timeZone={TZ}
          slotMinutes={15}
        />
      </MemoryRouter>,
    );
    const dialog = screen.getByRole('dialog', { name: 'Appointment' });
    expect(within(dialog).getByText('Bring the x-rays')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel…' }));
    const reasons = within(dialog).getByRole('group', { name: 'Reason for cancelling' });
    expect(within(reasons).getByRole('radio', { name: 'Patient request' })).toHaveFocus();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel appointment' }));
    expect(within(dialog).getByText('Choose a reason.')).toBeInTheDocument();
    await user.click(within(reasons).getByRole('radio', { name: 'Other' }));
    await user.type(within(dialog).getByLabelText('Describe the reason'), 'Moving away');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel appointment' }));
    await waitFor(() => {
      const post = fetchMock.mock.calls.find(([u, init]) => init?.method === 'POST' && String(u).includes('/cancel'));
      expect(JSON.parse(String(post?.[1]?.body))).toEqual({ reason: 'other', reasonText: 'Moving away' });
    });
  });

  it('opens booking with n (not while typing) and the shortcuts help with ? and its button', async () => {
    const user = userEvent.setup();
    act(() => useSessionStore.getState().setSession({ user: makeUser('receptionist'), clinic: CLINIC, mfaEnrollmentRequired: false }));
    renderWithQuery(
      <MemoryRouter initialEntries={['/schedule']}>
        <SchedulePage />
      </MemoryRouter>,
    );
    await screen.findByRole('button', { name: 'Keyboard shortcuts' });
    await user.keyboard('?');
    const help = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(within(help).getByText(/Book an appointment/)).toBeInTheDocument();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());

    // Typing n in the date field does nothing.
    screen.getByLabelText('Date').focus();
    await user.keyboard('n');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    (document.activeElement as HTMLElement).blur();
    await user.keyboard('n');
    const book = await screen.findByRole('dialog', { name: 'Book appointment' });
    expect(within(book).getByRole('combobox', { name: 'Patient' })).toHaveFocus();
    await user.keyboard('{Escape}');
    await user.click(screen.getByRole('button', { name: 'Keyboard shortcuts' }));
    expect(await screen.findByRole('dialog', { name: 'Keyboard shortcuts' })).toBeInTheDocument();
  });
});

const appt: Appointment & { notes: string } = {
  id: 'a-1',
  patientId: 'pa-1',
  providerId: 'pr-1',
  operatoryId: 'op-1',
  typeId: 't-1',
  start: '2026-11-25T14:00:00Z',
  end: '2026-11-25T15:00:00Z',
  status: 'scheduled',
  history: [],
  version: 1,
  notes: 'Bring the x-rays',
};
