import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import type { Appointment, Slot } from '../../lib/types';
import { CLINIC, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import PortalBookPage from './PortalBookPage';

// 2031-03-04 is a Tuesday; New York is UTC-5 then.
const slot = (start: string, providerId: string, operatoryId = 'op-1'): Slot => ({
  start,
  end: new Date(Date.parse(start) + 30 * 60_000).toISOString(),
  providerId,
  operatoryId,
});
const SLOTS = [
  slot('2031-03-04T14:00:00Z', 'pr-1'), // 9:00 AM
  slot('2031-03-04T14:00:00Z', 'pr-2', 'op-2'), // same time, other provider
  slot('2031-03-04T15:00:00Z', 'pr-2'), // 10:00 AM
  slot('2031-03-04T19:00:00Z', 'pr-1'), // 2:00 PM
  slot('2031-03-04T23:00:00Z', 'pr-1'), // 6:00 PM
];
const OLD: Appointment = {
  id: 'a-old',
  patientId: 'p-1',
  providerId: 'pr-1',
  operatoryId: 'op-1',
  typeId: 't-1',
  start: '2031-03-10T14:00:00Z',
  end: '2031-03-10T14:30:00Z',
  status: 'scheduled',
  history: [],
  version: 1,
};

describe('PortalBookPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let calls: string[] = [];
  let failCancelOld = false;

  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession({ ...me('patient'), clinic: CLINIC });
    calls = [];
    failCancelOld = false;
    const record = (name: string, status = 200, body: unknown = {}) =>
      (_url: URL, init: RequestInit | undefined) => {
        calls.push(`${name} ${init?.body ?? ''}`.trim());
        return status === 200
          ? jsonResponse(body)
          : jsonResponse({ error: { code: 'invalid', message: 'cancellation refused', requestId: 'r-422' } }, status);
      };
    fetchMock.mockReset();
    fetchMock.mockImplementation((input, init) =>
      routeFetch({
        'GET /api/appointment-types': {
          items: [{ id: 't-1', name: 'Cleaning', category: 'hygiene', durationMinutes: 30, colour: '#0af', bookableOnline: true }],
          nextCursor: null,
        },
        'GET /api/providers': {
          items: [
            { id: 'pr-1', name: 'Dr. Ada Moss', active: true },
            { id: 'pr-2', name: 'Luis Fernandes, RDH', active: true },
          ],
          nextCursor: null,
        },
        'GET /api/availability': { items: SLOTS, nextCursor: null },
        'GET /api/appointments/a-old': OLD,
        'POST /api/appointments': (_u: URL, i: RequestInit | undefined) => {
          calls.push(`hold ${String(i?.body)}`);
          const b = JSON.parse(String(i?.body)) as Slot;
          return jsonResponse({ ...OLD, id: 'a-new', status: 'held', start: b.start, end: b.end ?? b.start, providerId: b.providerId }, 201);
        },
        'POST /api/appointments/a-new/confirm': record('confirm new'),
        'POST /api/appointments/a-old/cancel': (u: URL, i: RequestInit | undefined) =>
          record('cancel old', failCancelOld ? 422 : 200)(u, i),
        'POST /api/appointments/a-new/cancel': record('release new'),
      })(input, init),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  /** The API calls made, by step name. */
  const steps = () => calls.map((c) => (c.startsWith('hold ') ? 'hold' : c.split(' ').slice(0, 2).join(' ')));

  function renderAt(path: string) {
    return renderWithQuery(
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/portal/book" element={<PortalBookPage />} />
          <Route path="/portal" element={<h1>My appointments</h1>} />
        </Routes>
      </MemoryRouter>,
    );
  }

  it('groups one slot per time under Morning / Afternoon / Evening with counts, and First available picks the soonest', async () => {
    const user = userEvent.setup();
    renderAt('/portal/book');
    await user.click(await screen.findByRole('radio', { name: /Cleaning/ }));
    const morning = await screen.findByRole('button', { name: /Morning\s*2 times/ });
    expect(morning).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('button', { name: /Afternoon\s*1 time$/ })).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByRole('button', { name: /Evening\s*1 time$/ })).toBeInTheDocument();
    // Any provider: 9:00 once (the first provider), then 10:00.
    const times = within(screen.getByRole('group', { name: /Morning times/ })).getAllByRole('radio');
    expect(times.map((r) => r.closest('label')?.textContent)).toEqual(['9:00 AMDr. Ada Moss', '10:00 AMLuis Fernandes, RDH']);
    await user.click(screen.getByRole('button', { name: /Afternoon/ }));
    expect(screen.getByRole('radio', { name: /2:00 PM/ })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: /^First available/ }));
    expect(screen.getByRole('button', { name: 'Continue with Tue, Mar 4, 9:00 AM' })).toBeEnabled();

    // One provider: only theirs.
    await user.selectOptions(screen.getByLabelText('Provider'), 'Luis Fernandes, RDH');
    expect(await screen.findByRole('button', { name: /Morning\s*2 times/ })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Afternoon\s*1 time/ })).not.toBeInTheDocument();
  });

  it('reschedules: holds the new time, confirms it, and only then cancels the old visit', async () => {
    const user = userEvent.setup();
    renderAt('/portal/book?reschedule=a-old');
    expect(await screen.findByRole('heading', { level: 1, name: 'Move your visit' })).toBeInTheDocument();
    await user.click(await screen.findByRole('radio', { name: /10:00 AM/ }));
    await user.click(screen.getByRole('button', { name: /^Continue with/ }));
    await user.click(await screen.findByRole('button', { name: 'Confirm new time' }));
    expect(await screen.findByRole('heading', { name: 'My appointments' })).toBeInTheDocument();
    expect(steps()).toEqual(['hold', 'confirm new', 'cancel old']);
    expect(JSON.parse(calls[0]!.slice('hold '.length))).toMatchObject({ providerId: 'pr-2', start: '2031-03-04T15:00:00Z', hold: true });
    expect(calls[2]).toContain('"reason":"patient_request"');
  });

  it('when the old visit cannot be cancelled, releases the new time and says the old visit is kept', async () => {
    failCancelOld = true;
    const user = userEvent.setup();
    renderAt('/portal/book?reschedule=a-old');
    await user.click(await screen.findByRole('radio', { name: /10:00 AM/ }));
    await user.click(screen.getByRole('button', { name: /^Continue with/ }));
    await user.click(await screen.findByRole('button', { name: 'Confirm new time' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(/could not cancel your visit on Monday, March 10, 2031 at 10:00 AM/);
    expect(alert).toHaveTextContent(/The new time was released/);
    expect(alert).toHaveTextContent(/still booked/);
    expect(steps()).toEqual(['hold', 'confirm new', 'cancel old', 'release new']);
    expect(screen.queryByRole('heading', { name: 'My appointments' })).not.toBeInTheDocument();
  });
});
