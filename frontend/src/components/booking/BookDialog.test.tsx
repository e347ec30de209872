import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import type { AppointmentType, Operatory, Provider, Slot } from '../../lib/types';
import { routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { BookDialog, SLOT_TAKEN_MESSAGE } from './BookDialog';

const TZ = 'America/New_York';
const providers: Provider[] = [
  { id: 'pr-1', name: 'Dr. Maya Okafor', kind: 'dentist', colour: '#1f6feb', hours: null, operatories: ['op-1'], active: true },
];
const operatories: Operatory[] = [{ id: 'op-1', name: 'Operatory 1', active: true }];
const types: AppointmentType[] = [
  { id: 't-1', name: 'Filling', category: 'restorative', durationMinutes: 60, colour: '#000', bookableOnline: false },
];
const slot = (start: string): Slot => ({ start, end: start, providerId: 'pr-1', operatoryId: 'op-1' });

describe('BookDialog', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let availabilityCalls = 0;

  beforeEach(() => {
    resetApiClient();
    availabilityCalls = 0;
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/patients': (url: URL) =>
          jsonResponse({
            items: url.searchParams.get('q')
              ? [{ id: 'pa-1', firstName: 'Ana', lastName: 'Silva', dateOfBirth: '1980-01-02', status: 'active', allergyAlert: true }]
              : [],
            nextCursor: null,
          }),
        'GET /api/availability': () => {
          availabilityCalls += 1;
          // After the conflict, 9:00 is gone.
          const items =
            availabilityCalls === 1
              ? [slot('2026-11-25T14:00:00Z'), slot('2026-11-25T15:00:00Z')]
              : [slot('2026-11-25T15:00:00Z')];
          return jsonResponse({ items, nextCursor: null });
        },
        'POST /api/appointments': () =>
          jsonResponse(
            { error: { code: 'conflict', message: 'that time is no longer free', requestId: 'req-409' } },
            409,
          ),
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('offers only active types of visit', () => {
    const retired: AppointmentType = { id: 't-2', name: 'Old exam', category: 'exam', durationMinutes: 30, colour: '#000', bookableOnline: false, active: false };
    renderWithQuery(
      <BookDialog open onClose={() => {}} onBooked={() => {}} date="2026-11-25" timeZone={TZ} providers={providers} operatories={operatories} types={[...types, retired]} />,
    );
    const select = within(screen.getByRole('dialog', { name: 'Book appointment' })).getByLabelText('Type of visit');
    expect(within(select).getAllByRole('option').map((o) => o.getAttribute('value'))).toEqual(['', 't-1']);
  });

  it('searches patients, shows free times, and on 409 says the slot was taken and refreshes the times', async () => {
    const user = userEvent.setup();
    renderWithQuery(
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
    const dialog = screen.getByRole('dialog', { name: 'Book appointment' });

    const search = within(dialog).getByRole('combobox', { name: 'Patient' });
    await user.type(search, 'sil');
    const option = await within(dialog).findByRole('option', { name: /Ana Silva/ });
    expect(option).toHaveTextContent('Allergy alert');
    // One debounced search, not one per keystroke.
    const searches = fetchMock.mock.calls.filter(([u]) => String(u).includes('/api/patients?q='));
    expect(searches).toHaveLength(1);
    await user.keyboard('{ArrowDown}{Enter}');
    expect(within(dialog).getByText('Ana Silva')).toBeInTheDocument();

    await user.selectOptions(within(dialog).getByLabelText('Type of visit'), 't-1');
    const nine = await within(dialog).findByRole('radio', { name: /9:00 AM/ });
    await user.click(nine);
    await user.click(within(dialog).getByRole('button', { name: 'Book 9:00 AM with Dr. Maya Okafor' }));

    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent(SLOT_TAKEN_MESSAGE);
    expect(alert).toHaveTextContent('req-409');
    await waitFor(() => expect(within(dialog).queryByRole('radio', { name: /9:00 AM/ })).not.toBeInTheDocument());
    expect(within(dialog).getByRole('radio', { name: /10:00 AM/ })).not.toBeChecked();

    const post = fetchMock.mock.calls.find(([, init]) => init?.method === 'POST')!;
    expect(JSON.parse(String(post[1]?.body))).toEqual({
      patientId: 'pa-1',
      providerId: 'pr-1',
      operatoryId: 'op-1',
      typeId: 't-1',
      start: '2026-11-25T14:00:00Z',
    });
  });
});
