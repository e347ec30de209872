import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InboxItem } from '../../api/messages';
import { AppShell } from '../../app/AppShell';
import { resetApiClient } from '../../lib/api';
import { me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import { InboxBadge } from './InboxBadge';
import InboxPage from './InboxPage';

const reply = (extra: Partial<InboxItem>): InboxItem => ({
  id: 'i',
  from: '+12125550147',
  body: 'Can I come at 4 instead?',
  receivedAt: '2031-01-10T15:00:00Z',
  handled: false,
  ...extra,
});

describe('InboxPage', () => {
  let open: InboxItem[];
  let handled: InboxItem[];
  let asked: string[];
  let handledIds: string[];

  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession(me('receptionist'));
    asked = [];
    handledIds = [];
    open = [
      reply({ id: 'i2', body: 'Running 10 minutes late', patientId: 'p-1', patientName: 'Jordan Avery', receivedAt: '2031-01-10T16:00:00Z' }),
      reply({ id: 'i1', from: '+12125550999', body: 'Who is this?' }),
    ];
    handled = [reply({ id: 'i0', body: 'Thanks!', handled: true, handledAt: '2031-01-09T15:00:00Z', patientName: 'Ana Lima', patientId: 'p-2' })];
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/inbox': (url: URL) => {
            asked.push(url.searchParams.get('handled') ?? '');
            return jsonResponse({ items: url.searchParams.get('handled') === 'true' ? handled : open, nextCursor: null });
          },
          'POST /api/inbox/i2/handle': () => {
            handledIds.push('i2');
            const item = { ...open[0]!, handled: true, handledAt: '2031-01-10T16:05:00Z' };
            open = open.slice(1);
            return jsonResponse(item);
          },
        }),
      ),
    );
  });

  afterEach(() => vi.unstubAllGlobals());

  function renderPage() {
    return renderWithQuery(
      <MemoryRouter>
        <InboxPage />
      </MemoryRouter>,
    );
  }

  it('lists replies newest first as the server sends them: the patient links to their record; an unknown number says so', async () => {
    renderPage();
    const items = await screen.findAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(within(items[0]!).getByRole('link', { name: 'Jordan Avery' })).toHaveAttribute('href', '/patients/p-1');
    expect(items[0]).toHaveTextContent('(212) 555-0147');
    expect(items[0]).toHaveTextContent('Running 10 minutes late');
    expect(items[1]).toHaveTextContent('Unknown sender');
    expect(within(items[1]!).queryByRole('link')).not.toBeInTheDocument();
    expect(asked).toEqual(['false']);
  });

  it('Mark handled posts it and the reply leaves the list', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Mark handled: reply from Jordan Avery' }));
    await waitFor(() => expect(screen.queryByText('Running 10 minutes late')).not.toBeInTheDocument());
    expect(handledIds).toEqual(['i2']);
    expect(screen.getAllByRole('listitem')).toHaveLength(1);
  });

  it('Show handled lists the handled ones, without a button', async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findAllByRole('listitem');
    await user.click(screen.getByRole('checkbox', { name: 'Show handled' }));
    expect(await screen.findByText('Thanks!')).toBeInTheDocument();
    expect(asked.at(-1)).toBe('true');
    expect(screen.queryByRole('button', { name: /Mark handled/ })).not.toBeInTheDocument();
    expect(within(screen.getByRole('listitem')).getByText(/^Handled /)).toBeInTheDocument();
  });

  it('the navigation shows the unread count beside Inbox, and Messages only to admins', async () => {
    const nav = [
      { to: '/inbox', label: 'Inbox', badge: <InboxBadge /> },
      { to: '/messages', label: 'Messages', roles: ['admin'] },
    ];
    const { unmount } = renderWithQuery(
      <MemoryRouter>
        <AppShell nav={nav}>
          <main id="main" />
        </AppShell>
      </MemoryRouter>,
    );
    expect(await screen.findByRole('link', { name: 'Inbox, 2 unread' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Messages' })).not.toBeInTheDocument();
    unmount();

    useSessionStore.getState().setSession(me('admin'));
    open = [];
    renderWithQuery(
      <MemoryRouter>
        <AppShell nav={nav}>
          <main id="main" />
        </AppShell>
      </MemoryRouter>,
    );
    expect(await screen.findByRole('link', { name: 'Messages' })).toBeInTheDocument();
    await waitFor(() => expect(asked.length).toBeGreaterThanOrEqual(2));
    expect(screen.getByRole('link', { name: 'Inbox' })).toBeInTheDocument();
  });
});
