import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import type { Appointment, Operatory, Provider } from '../../lib/types';
import { routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { MovePanel } from './MovePanel';

const providers: Provider[] = [
  { id: 'pr-1', name: 'Dr. Maya Okafor', kind: 'dentist', colour: '#1f6feb', hours: null, operatories: ['op-1'], active: true },
];
const operatories: Operatory[] = [{ id: 'op-1', name: 'Operatory 1', active: true }];
const appointment: Appointment = {
  id: 'ap-1',
  patientId: 'pa-1',
  providerId: 'pr-1',
  operatoryId: 'op-1',
  typeId: 't-1',
  // 9:00–9:45 in New York.
  start: '2026-11-25T14:00:00Z',
  end: '2026-11-25T14:45:00Z',
  status: 'scheduled',
  history: [],
  version: 0,
};

describe('MovePanel', () => {
  const fetchMock = vi.fn<typeof fetch>();

  beforeEach(() => {
    resetApiClient();
    fetchMock.mockReset();
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  function renderPanel(onMoved = vi.fn()) {
    renderWithQuery(
      <MovePanel
        appointment={appointment}
        providers={providers}
        operatories={operatories}
        timeZone="America/New_York"
        slotMinutes={15}
        onMoved={onMoved}
        onCancel={() => {}}
      />,
    );
    return onMoved;
  }

  it('moves by arrow keys in 15-minute steps and PATCHes the new start', async () => {
    const patched: unknown[] = [];
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/availability': { items: [], nextCursor: null },
        'PATCH /api/appointments/ap-1': (_url: URL, init: RequestInit | undefined) => {
          patched.push(JSON.parse(String(init?.body)));
          return jsonResponse({ ...appointment, start: '2026-11-25T14:30:00Z', end: '2026-11-25T15:15:00Z', version: 1 });
        },
      }),
    );
    const onMoved = renderPanel();

    const spin = screen.getByRole('spinbutton', { name: 'New start time' });
    expect(spin).toHaveFocus();
    expect(spin).toHaveAttribute('aria-valuetext', '9:00 AM to 9:45 AM');
    fireEvent.keyDown(spin, { key: 'ArrowUp' });
    fireEvent.keyDown(spin, { key: 'ArrowUp' });
    fireEvent.keyDown(spin, { key: 'ArrowUp' });
    fireEvent.keyDown(spin, { key: 'ArrowDown' });
    expect(spin).toHaveAttribute('aria-valuetext', '9:30 AM to 10:15 AM');
    fireEvent.keyDown(spin, { key: 'PageUp' });
    fireEvent.keyDown(spin, { key: 'PageDown' });

    await userEvent.setup().click(screen.getByRole('button', { name: 'Move to 9:30 AM' }));

    await vi.waitFor(() => expect(onMoved).toHaveBeenCalled());
    expect(patched).toEqual([{ start: '2026-11-25T14:30:00.000Z' }]);
  });

  it('shows the server’s 409 inline', async () => {
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/availability': { items: [], nextCursor: null },
        'PATCH /api/appointments/ap-1': () =>
          jsonResponse({ error: { code: 'conflict', message: 'that time is no longer free', requestId: 'r-7' } }, 409),
      }),
    );
    const onMoved = renderPanel();

    fireEvent.keyDown(screen.getByRole('spinbutton', { name: 'New start time' }), { key: 'ArrowDown' });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Move to 8:45 AM' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(/That time is taken — pick another/);
    expect(alert).toHaveTextContent('r-7');
    expect(alert).toHaveFocus();
    expect(onMoved).not.toHaveBeenCalled();
  });

  it('offers free times as radio buttons that set the new start', async () => {
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/availability': {
          items: [{ start: '2026-11-25T16:00:00Z', end: '2026-11-25T16:45:00Z', providerId: 'pr-1', operatoryId: 'op-1' }],
          nextCursor: null,
        },
      }),
    );
    renderPanel();
    const group = await screen.findByRole('group', { name: 'Free times' });
    await userEvent.setup().click(within(group).getByRole('radio', { name: /11:00 AM/ }));
    expect(screen.getByRole('spinbutton', { name: 'New start time' })).toHaveAttribute(
      'aria-valuetext',
      '11:00 AM to 11:45 AM',
    );
    expect(screen.getByRole('button', { name: 'Move to 11:00 AM' })).toBeEnabled();
  });
});
