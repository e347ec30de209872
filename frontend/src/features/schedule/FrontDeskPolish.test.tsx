import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { scheduleKeys } from '../../api/schedule';
import { resetApiClient } from '../../lib/api';
import { addDays, todayInZone, zonedTimeToUtc } from '../../lib/time';
import type { Appointment, AppointmentType, Operatory, PatientSummary, Provider } from '../../lib/types';
import { CLINIC, makeUser, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import { AppointmentDialog } from './AppointmentDialog';
import { BookDialog } from '../../components/booking/BookDialog';
import SchedulePage from './SchedulePage';

const TZ = CLINIC.settings.timeZone;
const providers: Provider[] = [
  { id: 'pr-1', name: 'Dr. Maya Okafor', kind: 'dentist', colour: '#1f6feb', hours: null, operatories: ['op-1'], active: true },
];
const operatories: Operatory[] = [{ id: 'op-1', name: 'Operatory 1', active: true }];
const types: AppointmentType[] = [
  { id: 't-1', name: 'Filling', category: 'restorative', durationMinutes: 60, colour: '#000', bookableOnline: false },
  {
    id: 't-2',
    name: 'Comprehensive periodontal evaluation',
    category: 'exam',
    durationMinutes: 90,
    colour: '#000',
    bookableOnline: false,
  },
];
const ana = { id: 'pa-1', firstName: 'Ana', lastName: 'Silva', dateOfBirth: '1980-01-02', phone: '+15550100', status: 'active', allergyAlert: false };

const today = todayInZone(TZ);
function at(date: string, minutes: number) {
  return zonedTimeToUtc(date, minutes, TZ).toISOString();
}
const checkedIn: Appointment = {
  id: 'a-1',
  patientId: 'pa-1',
  providerId: 'pr-1',
  operatoryId: 'op-1',
  typeId: 't-1',
  start: at(today, 12 * 60),
  end: at(today, 13 * 60),
  status: 'checked_in',
  history: [{ at: at(today, 11 * 60 + 55), by: 'u-1', byRole: 'receptionist', action: 'check-in', from: 'scheduled', to: 'checked_in' }],
  version: 2,
};

function renderDetails(appointment: Appointment, onUpdated: (a: Appointment) => void = () => {}) {
  return renderWithQuery(
    <MemoryRouter>
      <AppointmentDialog
        appointment={appointment}
        onClose={() => {}}
        onUpdated={onUpdated}
        providers={providers}
        operatories={operatories}
        types={types}
        patientSummary={ana}
        timeZone={TZ}
        slotMinutes={15}
      />
    </MemoryRouter>,
  );
}

function renderSchedule() {
  act(() => useSessionStore.getState().setSession({ user: makeUser('receptionist'), clinic: CLINIC, mfaEnrollmentRequired: false }));
  return renderWithQuery(
    <MemoryRouter initialEntries={['/schedule']}>
      <SchedulePage />
    </MemoryRouter>,
  );
}

const apiError = (status: number, code: string, message: string) =>
  jsonResponse({ error: { code, message, requestId: `r-${status}` } }, status);

describe('front desk polish', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let routes: Record<string, unknown>;
  let listCalls = 0;

  beforeEach(() => {
    resetApiClient();
    listCalls = 0;
    routes = {
      'GET /api/patients': { items: [ana], nextCursor: null },
      'GET /api/patients/pa-1': { ...ana, allergies: [], medications: [], conditions: [] },
      'GET /api/providers': { items: providers, nextCursor: null },
      'GET /api/operatories': { items: operatories, nextCursor: null },
      'GET /api/appointment-types': { items: types, nextCursor: null },
      'GET /api/appointments': () => {
        listCalls += 1;
        return jsonResponse({ items: [], nextCursor: null });
      },
    };
    fetchMock.mockReset();
    fetchMock.mockImplementation((input, init) => routeFetch(routes)(input, init));
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('undoes a check-in of today from the details, and the schedule refreshes', async () => {
    const user = userEvent.setup();
    let current = checkedIn;
    routes['GET /api/appointments'] = () => {
      listCalls += 1;
      return jsonResponse({ items: [current], nextCursor: null });
    };
    routes['POST /api/appointments/a-1/undo'] = () => {
      current = {
        ...checkedIn,
        status: 'scheduled',
        version: 3,
        history: [...checkedIn.history, { at: new Date().toISOString(), by: 'u-1', byRole: 'receptionist', action: 'undo', from: 'checked_in', to: 'scheduled' }],
      };
      return jsonResponse(current);
    };
    const { container } = renderSchedule();
    const tile = await waitFor(() => {
      const el = container.querySelector<HTMLButtonElement>('[data-appointment-id="a-1"]');
      expect(el).not.toBeNull();
      return el!;
    });
    await user.click(tile);
    const dialog = await screen.findByRole('dialog', { name: 'Appointment' });
    const actions = within(dialog).getByRole('group', { name: 'Actions' });
    expect(within(actions).queryByRole('button', { name: 'Undo no-show' })).not.toBeInTheDocument();
    const before = listCalls;
    await user.click(within(actions).getByRole('button', { name: 'Undo check-in' }));
    await waitFor(() => expect(within(dialog).getByText('Scheduled', { selector: '.status' })).toBeInTheDocument());
    expect(fetchMock.mock.calls.some(([u, init]) => init?.method === 'POST' && String(u).endsWith('/api/appointments/a-1/undo'))).toBe(true);
    // The schedule was asked again, not left to the next poll.
    await waitFor(() => expect(listCalls).toBeGreaterThan(before));
    // Back to scheduled: check-in is offered again, the undo is gone.
    expect(within(actions).getByRole('button', { name: 'Check in' })).toBeInTheDocument();
    expect(within(actions).queryByRole('button', { name: /^Undo/ })).not.toBeInTheDocument();
  });

  it('offers "Undo no-show" for a no-show of today, and nothing to undo on another day', async () => {
    const { unmount } = renderDetails({ ...checkedIn, status: 'no_show' });
    let dialog = screen.getByRole('dialog', { name: 'Appointment' });
    expect(within(dialog).getByRole('button', { name: 'Undo no-show' })).toBeInTheDocument();
    expect(within(dialog).queryByText(/No further actions/)).not.toBeInTheDocument();
    unmount();

    const yesterday = addDays(today, -1);
    renderDetails({ ...checkedIn, status: 'no_show', start: at(yesterday, 12 * 60), end: at(yesterday, 13 * 60) });
    dialog = screen.getByRole('dialog', { name: 'Appointment' });
    expect(within(dialog).queryByRole('button', { name: /^Undo/ })).not.toBeInTheDocument();
  });

  it('shows the server’s own words when an undo is refused (409 a second undo, 422 another day)', async () => {
    const user = userEvent.setup();
    const onUpdated = vi.fn();
    routes['POST /api/appointments/a-1/undo'] = () =>
      apiError(409, 'conflict', 'only a check-in or a no-show can be undone; this appointment is scheduled');
    const { unmount } = renderDetails(checkedIn, onUpdated);
    let dialog = screen.getByRole('dialog', { name: 'Appointment' });
    await user.click(within(dialog).getByRole('button', { name: 'Undo check-in' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('only a check-in or a no-show can be undone; this appointment is scheduled');
    expect(alert).not.toHaveTextContent('changed in the meantime');
    expect(onUpdated).not.toHaveBeenCalled();
    unmount();

    routes['POST /api/appointments/a-1/undo'] = () =>
      apiError(
        422,
        'unprocessable',
        'this appointment can only be undone on its day, Tuesday 1 December 2026 (today is Wednesday 2 December in the practice’s time zone)',
      );
    renderDetails(checkedIn, onUpdated);
    dialog = screen.getByRole('dialog', { name: 'Appointment' });
    await user.click(within(dialog).getByRole('button', { name: 'Undo check-in' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('this appointment can only be undone on its day');
  });

  it('shows only the error with its retry when the schedule fails to load, no "0 appointments"', async () => {
    const user = userEvent.setup();
    let fail = true;
    routes['GET /api/appointments'] = () =>
      fail ? apiError(503, 'unavailable', 'database unavailable') : jsonResponse({ items: [], nextCursor: null });
    const { container } = renderSchedule();
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the schedule');
    expect(container.querySelector('.schedule__summary')).toBeNull();
    expect(screen.queryByText(/\b0 appointments\b/, { selector: 'p' })).not.toBeInTheDocument();
    expect(screen.queryByText(/No appointments on this day/)).not.toBeInTheDocument();
    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText(/\b0 appointments\b/, { selector: '.schedule__summary' })).toBeInTheDocument();
    expect(screen.queryByText('Could not load the schedule')).not.toBeInTheDocument();
  });

  it('keeps the toolbar to day navigation and booking: "Show cancelled" and the shortcuts join the view row', async () => {
    const { container } = renderSchedule();
    const showCancelled = await screen.findByRole('checkbox', { name: 'Show cancelled' });
    const toolbar = container.querySelector('.schedule__toolbar')!;
    const views = container.querySelector('.schedule__views')!;
    expect(toolbar).not.toContainElement(showCancelled);
    expect(views).toContainElement(showCancelled);
    const help = screen.getByRole('button', { name: 'Keyboard shortcuts' });
    expect(toolbar).not.toContainElement(help);
    expect(views).toContainElement(help);
    expect(within(views as HTMLElement).getByRole('group', { name: 'Schedule view' })).toBeInTheDocument();
    expect(within(toolbar as HTMLElement).getByRole('button', { name: 'Book appointment' })).toBeInTheDocument();
  });

  it('gives the visit type a row of its own and names the chosen type in full', async () => {
    const user = userEvent.setup();
    renderWithQuery(
      <BookDialog
        open
        onClose={() => {}}
        onBooked={() => {}}
        date={today}
        timeZone={TZ}
        providers={providers}
        operatories={operatories}
        types={types}
      />,
    );
    const dialog = screen.getByRole('dialog', { name: 'Book appointment' });
    const select = within(dialog).getByRole('combobox', { name: 'Type of visit' });
    const provider = within(dialog).getByRole('combobox', { name: 'Provider' });
    // Not squeezed into a third of the row beside Provider and Day.
    expect(select.closest('.field-row')).toBeNull();
    expect(provider.closest('.field-row')).not.toBeNull();
    await user.selectOptions(select, 't-2');
    expect(select).toHaveAttribute('title', 'Comprehensive periodontal evaluation (90 min)');
    expect(within(select).getByRole('option', { selected: true })).toHaveTextContent(
      'Comprehensive periodontal evaluation (90 min)',
    );
  });
});

const person = (id: string, firstName: string, lastName: string): PatientSummary => ({
  id,
  firstName,
  lastName,
  dateOfBirth: '1980-01-02',
  status: 'active',
  allergyAlert: false,
});
const bo = person('pa-2', 'Bo', 'Lind');
const cy = person('pa-3', 'Cy', 'Moreau');
const newcomer = person('pa-new', 'Wren', 'Okoye');

const tomorrow = addDays(today, 1);
function visit(id: string, patientId: string, date: string, hour: number): Appointment {
  return {
    id,
    patientId,
    providerId: 'pr-1',
    operatoryId: 'op-1',
    typeId: 't-1',
    start: at(date, hour * 60),
    end: at(date, hour * 60 + 60),
    status: 'scheduled',
    history: [],
    version: 1,
  };
}

describe('the schedule names its patients', () => {
  let days: Record<string, Appointment[]>;
  /** The ids each GET /api/patients?ids= named, and whether a tile was on screen when it was asked. */
  let asked: { ids: string[]; tilesDrawn: boolean }[];
  let client: QueryClient;

  beforeEach(() => {
    resetApiClient();
    asked = [];
    days = {
      [today]: [visit('a-1', 'pa-1', today, 9), visit('a-2', 'pa-2', today, 11), visit('a-3', 'pa-1', today, 14)],
      [tomorrow]: [visit('a-4', 'pa-2', tomorrow, 9), visit('a-5', 'pa-3', tomorrow, 10)],
    };
    const clinic = [ana, bo, cy, newcomer];
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/patients': (url: URL) => {
            const ids = url.searchParams.get('ids')?.split(',') ?? [];
            asked.push({ ids, tilesDrawn: document.querySelector('[data-appointment-id]') !== null });
            return jsonResponse({ items: clinic.filter((p) => ids.includes(p.id)), nextCursor: null });
          },
          'GET /api/patients/pa-1': { ...ana, allergies: [], medications: [], conditions: [] },
          'GET /api/providers': { items: providers, nextCursor: null },
          'GET /api/operatories': { items: operatories, nextCursor: null },
          'GET /api/appointment-types': { items: types, nextCursor: null },
          'GET /api/appointments': (url: URL) => {
            const from = url.searchParams.get('from') ?? '';
            const items = Object.values(days)
              .flat()
              .filter((a) => a.start >= from && a.start < (url.searchParams.get('to') ?? ''));
            return jsonResponse({ items, nextCursor: null });
          },
        }),
      ),
    );
    client = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } });
    act(() => useSessionStore.getState().setSession({ user: makeUser('receptionist'), clinic: CLINIC, mfaEnrollmentRequired: false }));
  });

  afterEach(() => vi.unstubAllGlobals());

  function renderOnClient() {
    return render(
      <QueryClientProvider client={client}>
        <MemoryRouter initialEntries={['/schedule']}>
          <SchedulePage />
        </MemoryRouter>
      </QueryClientProvider>,
    );
  }

  const tileNamed = (name: string) => screen.findAllByRole('button', { name: new RegExp(name) });

  it('reads just the day’s patients, once each, as soon as the appointments arrive', async () => {
    renderOnClient();
    expect(await tileNamed('Ana Silva')).toHaveLength(2);
    expect(await tileNamed('Bo Lind')).toHaveLength(1);
    expect(asked).toEqual([{ ids: ['pa-1', 'pa-2'], tilesDrawn: false }]);
  });

  it('moving to the next day reads only the patients not yet named', async () => {
    const user = userEvent.setup();
    renderOnClient();
    await tileNamed('Ana Silva');
    await user.click(screen.getByRole('button', { name: /Next day/ }));
    expect(await tileNamed('Cy Moreau')).toHaveLength(1);
    expect(await tileNamed('Bo Lind')).toHaveLength(1);
    expect(asked.map((a) => a.ids)).toEqual([['pa-1', 'pa-2'], ['pa-3']]);
  });

  it('a patient booked at another desk shows by name when the schedule refreshes', async () => {
    renderOnClient();
    await tileNamed('Ana Silva');
    days[today]!.push(visit('a-9', 'pa-new', today, 16));
    await act(() => client.invalidateQueries({ queryKey: scheduleKeys.ranges }));
    expect(await tileNamed('Wren Okoye')).toHaveLength(1);
    expect(asked.map((a) => a.ids)).toEqual([['pa-1', 'pa-2'], ['pa-new']]);
  });
});
