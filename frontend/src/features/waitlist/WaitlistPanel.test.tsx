import { act, render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppointmentType, PatientSummary, Provider, WaitlistEntry } from '../../lib/types';
import { WaitlistPanel } from './WaitlistPanel';

const TZ = 'America/New_York';
const patients = new Map<string, PatientSummary>([
  ['pa-1', { id: 'pa-1', firstName: 'Maria', lastName: 'Costa', dateOfBirth: '1981-12-24', status: 'active', allergyAlert: false }],
  ['pa-2', { id: 'pa-2', firstName: 'Lucas', lastName: 'Costa', dateOfBirth: '1958-05-25', status: 'active', allergyAlert: true }],
]);
const types = new Map<string, AppointmentType>([
  ['t-1', { id: 't-1', name: 'Cleaning', category: 'hygiene', durationMinutes: 60, colour: '#000', bookableOnline: true }],
]);
const providers = new Map<string, Provider>([
  ['pr-1', { id: 'pr-1', name: 'Dr. Maya Okafor', kind: 'dentist', colour: '#000', hours: null, operatories: null, active: true }],
]);

const entries: WaitlistEntry[] = [
  { id: 'w-1', patientId: 'pa-1', typeId: 't-1', providerIds: [], days: ['tuesday', 'thursday'], from: '13:00', to: '17:00', urgency: 2, expiresOn: '2027-01-24', status: 'waiting' },
  {
    id: 'w-2',
    patientId: 'pa-2',
    typeId: 't-1',
    providerIds: ['pr-1'],
    days: [],
    from: '08:00',
    to: '12:00',
    urgency: 5,
    expiresOn: '2027-01-24',
    status: 'offered',
    offer: {
      appointmentId: 'a-1',
      start: '2026-11-25T14:00:00Z',
      end: '2026-11-25T15:00:00Z',
      providerId: 'pr-1',
      expiresAt: '2026-11-25T12:05:00Z',
    },
  },
];

describe('WaitlistPanel', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(new Date('2026-11-25T12:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('lists the most urgent first and shows an offer’s slot with a live expiry countdown', () => {
    const onRemove = vi.fn();
    render(
      <MemoryRouter>
        <WaitlistPanel entries={entries} patients={patients} types={types} providers={providers} timeZone={TZ} onRemove={onRemove} />
      </MemoryRouter>,
    );
    const items = within(screen.getByRole('list', { name: /Waitlist/ })).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    const [first, second] = items as [HTMLElement, HTMLElement];

    expect(within(first).getByRole('link', { name: 'Lucas Costa' })).toHaveAttribute('href', '/patients/pa-2');
    expect(first).toHaveTextContent('Urgent (5 of 5)');
    expect(first).toHaveTextContent('Offered');
    expect(first).toHaveTextContent('Allergy alert');
    expect(first).toHaveTextContent('Any day, 8:00 AM – 12:00 PM, with Dr. Maya Okafor');
    expect(first).toHaveTextContent('Offered Wed, Nov 25, 9:00 AM – 10:00 AM with Dr. Maya Okafor');
    expect(first).toHaveTextContent('expires in 5:00');

    act(() => vi.advanceTimersByTime(61_000));
    expect(first).toHaveTextContent('expires in 3:59');
    act(() => vi.advanceTimersByTime(4 * 60_000));
    expect(first).toHaveTextContent('offer expired');

    expect(second).toHaveTextContent('Maria Costa');
    expect(second).toHaveTextContent('Routine (2 of 5)');
    expect(second).toHaveTextContent('Waiting');
    expect(second).toHaveTextContent('Tuesday, Thursday, 1:00 PM – 5:00 PM, any provider');
    expect(second).not.toHaveTextContent('expires in');

    within(second).getByRole('button', { name: 'Remove Maria Costa from the waitlist' }).click();
    expect(onRemove).toHaveBeenCalledWith(entries[0]);
  });

  it('says so when nobody is waiting', () => {
    render(
      <MemoryRouter>
        <WaitlistPanel entries={[]} patients={patients} types={types} providers={providers} timeZone={TZ} onRemove={() => {}} />
      </MemoryRouter>,
    );
    expect(screen.getByRole('heading', { name: 'Nobody is waiting' })).toBeInTheDocument();
  });
});
