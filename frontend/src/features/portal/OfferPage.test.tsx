import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import type { WaitlistEntry } from '../../lib/types';
import { CLINIC, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import OfferPage from './OfferPage';

const inAnHour = () => new Date(Date.now() + 60 * 60_000).toISOString();

function offered(extra: Partial<WaitlistEntry> = {}): WaitlistEntry {
  return {
    id: 'w-1',
    patientId: 'p-1',
    urgency: 3,
    status: 'offered',
    offer: {
      appointmentId: 'a-9',
      start: '2031-03-04T15:00:00Z',
      end: '2031-03-04T15:30:00Z',
      providerId: 'pr-1',
      expiresAt: inAnHour(),
    },
    ...extra,
  };
}

function renderAt(path: string) {
  return renderWithQuery(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/portal/offers/:id" element={<OfferPage />} />
        <Route path="/portal" element={<h1>My appointments</h1>} />
      </Routes>
    </MemoryRouter>,
  );
}

describe('OfferPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let patches: unknown[] = [];
  let patchStatus = 200;
  let entries: WaitlistEntry[] = [];

  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession({ ...me('patient'), clinic: CLINIC });
    patches = [];
    patchStatus = 200;
    entries = [offered()];
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/waitlist': () => jsonResponse({ items: entries, nextCursor: null }),
        'GET /api/providers': { items: [{ id: 'pr-1', name: 'Dr. Ada Moss', active: true }], nextCursor: null },
        'PATCH /api/waitlist/w-1': (_url: URL, init: RequestInit | undefined) => {
          patches.push(JSON.parse(String(init?.body)));
          if (patchStatus !== 200) {
            return jsonResponse({ error: { code: 'conflict', message: 'the offer has expired', requestId: 'r-409' } }, patchStatus);
          }
          return jsonResponse({ ...offered(), status: 'booked' });
        },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  it('shows the slot, pre-selects the answer from the link, and books only on a click', async () => {
    const user = userEvent.setup();
    renderAt('/portal/offers/w-1?answer=accept');
    const accept = await screen.findByRole('button', { name: 'Accept this time' });
    expect(screen.getByRole('heading', { level: 2 })).toHaveTextContent('March 4, 2031');
    expect(await screen.findByText(/with Dr\. Ada Moss/)).toBeInTheDocument();
    expect(screen.getByText(/expires in/)).toBeInTheDocument();
    expect(screen.getByText(/You chose “Accept” in your message/)).toBeInTheDocument();
    expect(accept).toHaveFocus();
    expect(patches).toEqual([]);

    await user.click(accept);
    expect(await screen.findByText('You are booked')).toBeInTheDocument();
    expect(patches).toEqual([{ answer: 'accept' }]);
    await user.click(screen.getByRole('link', { name: 'Go to My appointments' }));
    expect(await screen.findByRole('heading', { name: 'My appointments' })).toBeInTheDocument();
  });

  it('declines', async () => {
    const user = userEvent.setup();
    renderAt('/portal/offers/w-1?answer=decline');
    const decline = await screen.findByRole('button', { name: 'Decline' });
    expect(decline).toHaveFocus();
    await user.click(decline);
    expect(await screen.findByText('Offer declined')).toBeInTheDocument();
    expect(patches).toEqual([{ answer: 'decline' }]);
  });

  it('explains a 409 (expired or already answered)', async () => {
    const user = userEvent.setup();
    patchStatus = 409;
    renderAt('/portal/offers/w-1');
    await user.click(await screen.findByRole('button', { name: 'Accept this time' }));
    expect(await screen.findByText('This offer is no longer open')).toBeInTheDocument();
    expect(screen.getByText(/expired or was already answered/)).toBeInTheDocument();
    expect(screen.getByText(/r-409/)).toBeInTheDocument();
  });

  it('says so when there is no open offer on the entry', async () => {
    entries = [offered({ status: 'waiting', offer: null })];
    renderAt('/portal/offers/w-1');
    expect(await screen.findByText('This offer is no longer open')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Accept this time' })).not.toBeInTheDocument();
  });
});
