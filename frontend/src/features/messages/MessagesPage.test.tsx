import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NotificationRecord } from '../../api/messages';
import { resetApiClient } from '../../lib/api';
import { useToastStore } from '../../lib/toast';
import { me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import MessagesPage from './MessagesPage';

const rec = (extra: Partial<NotificationRecord>): NotificationRecord => ({
  id: 'n',
  channel: 'email',
  to: 'jordan@example.com',
  template: 'appointment-reminder',
  status: 'sent',
  attempts: 1,
  createdAt: '2031-01-10T15:00:00Z',
  updatedAt: '2031-01-10T15:00:00Z',
  nextAt: '2031-01-10T15:01:00Z',
  ...extra,
});

function renderPage(path = '/messages') {
  return renderWithQuery(
    <MemoryRouter initialEntries={[path]}>
      <MessagesPage />
    </MemoryRouter>,
  );
}

describe('MessagesPage', () => {
  let asked: URLSearchParams[];
  let pages: Record<string, { items: NotificationRecord[]; nextCursor: string | null }>;
  let retry: (id: string) => Response;

  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession(me('admin'));
    asked = [];
    pages = {
      '': {
        items: [
          rec({ id: 'n1', template: 'appointment-reminder', status: 'sent', delivery: 'delivered', channel: 'sms', to: '+12125550147', patientId: 'p-1' }),
          rec({ id: 'n2', template: 'appointment-booked', status: 'failed', class: 'suppressed', attempts: 2 }),
          rec({ id: 'n3', template: 'recall-due', status: 'dead', attempts: 5, channel: 'sms', to: '+12125550148' }),
        ],
        nextCursor: 'c2',
      },
      c2: { items: [rec({ id: 'n4', template: 'some-new-thing', status: 'pending' })], nextCursor: null },
    };
    retry = (id) => jsonResponse({ ...pages['']!.items.find((n) => n.id === id), status: 'pending' }, 202);
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/notifications': (url: URL) => {
            asked.push(url.searchParams);
            return jsonResponse(pages[url.searchParams.get('cursor') ?? ''] ?? { items: [], nextCursor: null });
          },
          'POST /api/notifications/n2/retry': () => retry('n2'),
          'POST /api/notifications/n3/retry': () => retry('n3'),
        }),
      ),
    );
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    document.head.querySelector('meta[name="topsmile-dev-outbox"]')?.remove();
  });

  it('lists messages in words (template, status, reason, delivery) with Retry only on failed and dead ones', async () => {
    renderPage();
    const table = await screen.findByRole('table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('Appointment reminder');
    expect(rows[0]).toHaveTextContent('Text');
    expect(rows[0]).toHaveTextContent('(212) 555-0147');
    expect(rows[0]).toHaveTextContent('Delivered');
    expect(within(rows[0]!).getByRole('link', { name: '(212) 555-0147' })).toHaveAttribute('href', '/patients/p-1');
    expect(within(rows[0]!).queryByRole('button', { name: /^Retry/ })).not.toBeInTheDocument();
    expect(rows[1]).toHaveTextContent('Appointment booked');
    expect(rows[1]).toHaveTextContent('Failed');
    expect(rows[1]).toHaveTextContent('Opted out');
    expect(within(rows[1]!).getByRole('button', { name: 'Retry: Appointment booked to jordan@example.com' })).toBeInTheDocument();
    expect(rows[2]).toHaveTextContent('Dead-letter');
    expect(within(rows[2]!).getByRole('button', { name: /^Retry/ })).toBeInTheDocument();
    expect(asked[0]?.get('status')).toBeNull();
    expect(asked[0]?.get('limit')).toBe('50');
  });

  it('Load more fetches the next cursor and appends its page', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('Some new thing')).toBeInTheDocument();
    expect(asked.at(-1)?.get('cursor')).toBe('c2');
    expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(5);
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('the status tabs and the channel filter ask the server for just those', async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByRole('table');
    await user.click(screen.getByRole('button', { name: 'Dead-letter' }));
    expect(screen.getByRole('button', { name: 'Dead-letter' })).toHaveAttribute('aria-pressed', 'true');
    await user.selectOptions(screen.getByLabelText('Channel'), 'sms');
    const last = asked.at(-1)!;
    expect(last.get('status')).toBe('dead');
    expect(last.get('channel')).toBe('sms');
  });

  it('Retry asks first, then queues the message again', async () => {
    const user = userEvent.setup();
    const posted: string[] = [];
    retry = (id) => {
      posted.push(id);
      return jsonResponse({ ...rec({ id }), status: 'pending' }, 202);
    };
    renderPage();
    await user.click(await screen.findByRole('button', { name: /^Retry: Appointment booked/ }));
    const dialog = screen.getByRole('dialog', { name: 'Send this message again?' });
    expect(posted).toEqual([]);
    await user.click(within(dialog).getByRole('button', { name: 'Send again' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(posted).toEqual(['n2']);
    expect(useToastStore.getState().toasts.map((t) => t.message)).toContain('Appointment booked to jordan@example.com is queued again.');
  });

  it('a 409 (no longer failed) shows the server’s words in the dialog', async () => {
    const user = userEvent.setup();
    retry = () =>
      jsonResponse({ error: { code: 'conflict', message: 'this message is queued, not failed', requestId: 'r-9' } }, 409);
    renderPage();
    await user.click(await screen.findByRole('button', { name: /^Retry: Recall due/ }));
    const dialog = screen.getByRole('dialog', { name: 'Send this message again?' });
    await user.click(within(dialog).getByRole('button', { name: 'Send again' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('this message is queued, not failed (Reference: r-9)');
  });

  it('links the dev outbox only when the local stack put its meta tag in the page', async () => {
    const { unmount } = renderPage();
    await screen.findByRole('table');
    expect(screen.queryByRole('link', { name: /Dev outbox/ })).not.toBeInTheDocument();
    unmount();
    const meta = document.createElement('meta');
    meta.name = 'topsmile-dev-outbox';
    meta.content = '/_dev/outbox/view';
    document.head.append(meta);
    renderPage();
    expect(await screen.findByRole('link', { name: /Dev outbox/ })).toHaveAttribute('href', '/_dev/outbox/view');
  });

  it('a meta tag pointing off the site is ignored', async () => {
    const meta = document.createElement('meta');
    meta.name = 'topsmile-dev-outbox';
    meta.content = '//evil.example/x';
    document.head.append(meta);
    renderPage();
    await screen.findByRole('table');
    expect(screen.queryByRole('link', { name: /Dev outbox/ })).not.toBeInTheDocument();
  });
});
