import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import { useToastStore } from '../../lib/toast';
import type { AppointmentType, Operatory, PatientSummary, Provider, Slot, WaitlistEntry } from '../../lib/types';
import { routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { BookDialog } from '../../components/booking/BookDialog';
import { SLOT_TAKEN_MESSAGE } from '../../components/SlotList';
import { OfferDialog } from './OfferDialog';
import WaitlistPage, { bookingPrefill } from './WaitlistPage';
import { WaitlistPanel } from './WaitlistPanel';

const TZ = 'America/New_York';
const providers: Provider[] = [
  { id: 'pr-1', name: 'Dr. Maya Okafor', kind: 'dentist', colour: '#1f6feb', hours: null, operatories: ['op-1'], active: true },
  { id: 'pr-2', name: 'Luis Fernandes', kind: 'hygienist', colour: '#0a0', hours: null, operatories: ['op-1'], active: true },
];
const operatories: Operatory[] = [{ id: 'op-1', name: 'Operatory 1', active: true }];
const cleaning: AppointmentType = { id: 't-1', name: 'Cleaning', category: 'hygiene', durationMinutes: 60, colour: '#000', bookableOnline: true };
const types = [cleaning, { ...cleaning, id: 't-2', name: 'Filling' }];
const maria: PatientSummary = { id: 'pa-1', firstName: 'Maria', lastName: 'Costa', dateOfBirth: '1981-12-24', status: 'active', allergyAlert: true };
const waiting: WaitlistEntry = {
  id: 'w-1', patientId: 'pa-1', typeId: 't-1', providerIds: ['pr-2'], days: [], from: '08:00', to: '17:00', urgency: 3, expiresOn: '2027-01-24', status: 'waiting',
};
const offered: WaitlistEntry = {
  ...waiting,
  id: 'w-2',
  status: 'offered',
  offer: { appointmentId: 'a-1', start: '2026-11-25T14:00:00Z', end: '2026-11-25T15:00:00Z', providerId: 'pr-2', expiresAt: '2099-01-01T00:00:00Z' },
};
const slot = (start: string, providerId = 'pr-2'): Slot => ({ start, end: start, providerId, operatoryId: 'op-1' });

const fetchMock = vi.fn<typeof fetch>();
const posted = (path: string) =>
  fetchMock.mock.calls.filter(([u, init]) => init?.method === 'POST' && String(u).includes(path)).map(([, init]) => JSON.parse(String(init?.body)));

beforeEach(() => {
  resetApiClient();
  fetchMock.mockReset();
  useToastStore.getState().clear();
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

describe('the waitlist entry’s actions', () => {
  it('offers Book and Offer a time on a waiting entry, not on one with an offer out', async () => {
    const user = userEvent.setup();
    const onBook = vi.fn();
    const onOffer = vi.fn();
    render(
      <MemoryRouter>
        <WaitlistPanel
          entries={[waiting, { ...offered, patientId: 'pa-9' }]}
          patients={new Map([['pa-1', maria]])}
          types={new Map(types.map((t) => [t.id, t]))}
          providers={new Map(providers.map((p) => [p.id, p]))}
          timeZone={TZ}
          onRemove={() => {}}
          onBook={onBook}
          onOffer={onOffer}
        />
      </MemoryRouter>,
    );
    await user.click(screen.getByRole('button', { name: 'Book… Maria Costa' }));
    expect(onBook).toHaveBeenCalledWith(waiting);
    await user.click(screen.getByRole('button', { name: 'Offer a time… to Maria Costa' }));
    expect(onOffer).toHaveBeenCalledWith(waiting);
    // The offered entry keeps only Remove.
    expect(screen.getAllByRole('button', { name: /^Book…/ })).toHaveLength(1);
    expect(screen.getAllByRole('button', { name: /^Offer a time…/ })).toHaveLength(1);
    expect(screen.getAllByRole('button', { name: /^Remove/ })).toHaveLength(2);
  });

  it('books the entry from the booking dialog prefilled with its patient, visit and provider, naming the entry', async () => {
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/patients/pa-1': { ...maria, allergies: [] },
        'GET /api/availability': (url: URL) =>
          jsonResponse({ items: url.searchParams.get('providerId') === 'pr-2' && url.searchParams.get('typeId') === 't-1' ? [slot('2026-11-25T15:00:00Z')] : [], nextCursor: null }),
        'POST /api/appointments': (_u: URL, init?: RequestInit) =>
          jsonResponse({ id: 'a-9', status: 'scheduled', ...JSON.parse(String(init?.body)), end: '2026-11-25T16:00:00Z' }, 201),
      }),
    );
    const user = userEvent.setup();
    const onBooked = vi.fn();
    renderWithQuery(
      <BookDialog
        open
        onClose={() => {}}
        onBooked={onBooked}
        date="2026-11-25"
        timeZone={TZ}
        providers={providers}
        operatories={operatories}
        types={types}
        initial={bookingPrefill(waiting, maria, 'Maria Costa')}
      />,
    );
    const dialog = screen.getByRole('dialog', { name: 'Book appointment' });
    expect(dialog).toHaveTextContent('From the waitlist: booking takes Maria Costa off the list.');
    expect(within(dialog).getByLabelText('Type of visit')).toHaveValue('t-1');
    expect(within(dialog).getByLabelText('Provider')).toHaveValue('pr-2');
    await user.click(await within(dialog).findByRole('radio', { name: /10:00 AM/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Book 10:00 AM with Luis Fernandes' }));
    await waitFor(() => expect(onBooked).toHaveBeenCalled());
    expect(posted('/api/appointments')).toEqual([
      { patientId: 'pa-1', providerId: 'pr-2', operatoryId: 'op-1', typeId: 't-1', start: '2026-11-25T15:00:00Z', waitlistEntryId: 'w-1' },
    ]);
  });

  it('books another visit than the entry’s without taking the entry off the list', async () => {
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/patients/pa-1': { ...maria, allergies: [] },
        'GET /api/availability': () => jsonResponse({ items: [slot('2026-11-25T15:00:00Z')], nextCursor: null }),
        'POST /api/appointments': (_u: URL, init?: RequestInit) =>
          jsonResponse({ id: 'a-9', status: 'scheduled', ...JSON.parse(String(init?.body)), end: '2026-11-25T16:00:00Z' }, 201),
      }),
    );
    const user = userEvent.setup();
    const onBooked = vi.fn();
    renderWithQuery(
      <BookDialog open onClose={() => {}} onBooked={onBooked} date="2026-11-25" timeZone={TZ} providers={providers} operatories={operatories} types={types}
        initial={bookingPrefill(waiting, maria, 'Maria Costa')} />,
    );
    const dialog = screen.getByRole('dialog', { name: 'Book appointment' });
    await user.selectOptions(within(dialog).getByLabelText('Type of visit'), 't-2');
    expect(dialog).toHaveTextContent('(not while the patient or visit is changed)');
    await user.click(await within(dialog).findByRole('radio', { name: /10:00 AM/ }));
    await user.click(within(dialog).getByRole('button', { name: /^Book 10:00 AM/ }));
    await waitFor(() => expect(onBooked).toHaveBeenCalled());
    expect(posted('/api/appointments')[0]).not.toHaveProperty('waitlistEntryId');
  });

  it('offers a free time of the providers the entry asked for, and on 409 says the time was taken', async () => {
    let offers = 0;
    let availabilityCalls = 0;
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/availability': () => {
          availabilityCalls += 1;
          // A dentist's time is free too, but the entry asked for Luis only.
          const items =
            availabilityCalls === 1
              ? [slot('2026-11-25T14:00:00Z'), slot('2026-11-25T15:00:00Z'), slot('2026-11-25T16:00:00Z', 'pr-1')]
              : [slot('2026-11-25T15:00:00Z')];
          return jsonResponse({ items, nextCursor: null });
        },
        'POST /api/waitlist/w-1/offer': (_u: URL, init?: RequestInit) => {
          offers += 1;
          const body = JSON.parse(String(init?.body));
          return offers === 1
            ? jsonResponse({ error: { code: 'conflict', message: 'that time is no longer free for this provider or chair', requestId: 'req-409' } }, 409)
            : jsonResponse({ ...waiting, status: 'offered', offer: { appointmentId: 'a-2', start: body.start, end: body.start, providerId: body.providerId, expiresAt: '2026-11-25T12:30:00Z' } });
        },
      }),
    );
    const user = userEvent.setup();
    const onClose = vi.fn();
    renderWithQuery(
      <OfferDialog entry={waiting} patientName="Maria Costa" onClose={onClose} date="2026-11-25" timeZone={TZ} providers={providers} operatories={operatories}
        types={new Map(types.map((t) => [t.id, t]))} />,
    );
    const dialog = screen.getByRole('dialog', { name: 'Offer a time to Maria Costa' });
    expect(dialog).toHaveTextContent('Cleaning (60 min)');
    // Only the provider asked for: no "any" choice, and no dentist times.
    expect(within(dialog).getByLabelText('Provider')).toHaveValue('pr-2');
    expect(within(within(dialog).getByLabelText('Provider')).getAllByRole('option')).toHaveLength(1);
    await user.click(await within(dialog).findByRole('radio', { name: /9:00 AM/ }));
    expect(within(dialog).queryByRole('radio', { name: /11:00 AM/ })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Offer 9:00 AM' }));

    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent(SLOT_TAKEN_MESSAGE);
    expect(alert).toHaveTextContent('req-409');
    await waitFor(() => expect(within(dialog).queryByRole('radio', { name: /9:00 AM/ })).not.toBeInTheDocument());

    await user.click(within(dialog).getByRole('radio', { name: /10:00 AM/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Offer 10:00 AM' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted('/api/waitlist/w-1/offer')).toEqual([
      { providerId: 'pr-2', operatoryId: 'op-1', start: '2026-11-25T14:00:00Z' },
      { providerId: 'pr-2', operatoryId: 'op-1', start: '2026-11-25T15:00:00Z' },
    ]);
    expect(useToastStore.getState().toasts.map((t) => t.message)).toEqual([
      'Offered Wed, Nov 25, 10:00 AM to Maria Costa; they have until 7:30 AM to answer.',
    ]);
  });

  it('says so when the entry moved on before the offer', async () => {
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/availability': () => jsonResponse({ items: [slot('2026-11-25T14:00:00Z')], nextCursor: null }),
        'POST /api/waitlist/w-1/offer': () =>
          jsonResponse({ error: { code: 'conflict', message: 'this patient is no longer waiting (an offer is out, or they were booked or removed); reload the waitlist', requestId: 'req-2' } }, 409),
      }),
    );
    const user = userEvent.setup();
    renderWithQuery(
      <OfferDialog entry={waiting} patientName="Maria Costa" onClose={() => {}} date="2026-11-25" timeZone={TZ} providers={providers} operatories={operatories}
        types={new Map(types.map((t) => [t.id, t]))} />,
    );
    const dialog = screen.getByRole('dialog', { name: 'Offer a time to Maria Costa' });
    await user.click(await within(dialog).findByRole('radio', { name: /9:00 AM/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Offer 9:00 AM' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Maria Costa is no longer waiting');
  });
});

describe('the waitlist page', () => {
  /** The ids each GET /api/patients?ids= named, with the clinic's patients answering. */
  function patientsRoute(known: PatientSummary[], asked: string[][]) {
    return (url: URL) => {
      const ids = url.searchParams.get('ids')?.split(',') ?? [];
      asked.push(ids);
      return jsonResponse({ items: known.filter((p) => ids.includes(p.id)), nextCursor: null });
    };
  }

  function routes(entries: WaitlistEntry[], patients: (url: URL) => Response) {
    return routeFetch({
      'GET /api/waitlist': () => jsonResponse({ items: entries, nextCursor: null }),
      'GET /api/patients': patients,
      'GET /api/appointment-types': { items: types, nextCursor: null },
      'GET /api/providers': { items: providers, nextCursor: null },
      'GET /api/operatories': { items: operatories, nextCursor: null },
    });
  }

  it('offers only the active appointment types when adding to the waitlist', async () => {
    const retired = { ...cleaning, id: 't-old', name: 'Retired visit', active: false };
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/waitlist': () => jsonResponse({ items: [], nextCursor: null }),
        'GET /api/appointment-types': { items: [...types, retired], nextCursor: null },
        'GET /api/providers': { items: providers, nextCursor: null },
        'GET /api/operatories': { items: operatories, nextCursor: null },
      }),
    );
    const user = userEvent.setup();
    renderWithQuery(
      <MemoryRouter>
        <WaitlistPage />
      </MemoryRouter>,
    );
    await user.click(await screen.findByRole('button', { name: 'Add to waitlist' }));
    const form = await screen.findByRole('form', { name: 'Add to waitlist' });
    await waitFor(() => expect(within(form).getByRole('option', { name: /Filling/ })).toBeInTheDocument());
    expect(within(form).queryByRole('option', { name: /Retired visit/ })).not.toBeInTheDocument();
  });

  it('names its entries by reading just their patients, in one request', async () => {
    const asked: string[][] = [];
    const newcomer: PatientSummary = { ...maria, id: 'pa-new', firstName: 'Wren', lastName: 'Okoye', allergyAlert: false };
    const other: PatientSummary = { ...maria, id: 'pa-other', firstName: 'Not', lastName: 'Shown' };
    fetchMock.mockImplementation(
      routes([waiting, { ...waiting, id: 'w-new', patientId: 'pa-new' }], patientsRoute([maria, newcomer, other], asked)),
    );
    renderWithQuery(
      <MemoryRouter>
        <WaitlistPage />
      </MemoryRouter>,
    );
    expect(await screen.findByRole('link', { name: 'Wren Okoye' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Maria Costa' })).toBeInTheDocument();
    expect(asked).toEqual([['pa-1', 'pa-new']]);
  });

  it('asks once for a patient the practice does not have, and names the entry "Patient"', async () => {
    const asked: string[][] = [];
    fetchMock.mockImplementation(routes([{ ...waiting, patientId: 'pa-gone' }], patientsRoute([maria], asked)));
    renderWithQuery(
      <MemoryRouter>
        <WaitlistPage />
      </MemoryRouter>,
    );
    await waitFor(() => expect(asked).toEqual([['pa-gone']]));
    expect(await screen.findByRole('button', { name: 'Remove Patient from the waitlist' })).toBeInTheDocument();
    await new Promise((r) => setTimeout(r, 300));
    expect(asked).toHaveLength(1);
  });
});
