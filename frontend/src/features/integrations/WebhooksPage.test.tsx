import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebhookDelivery, WebhookEndpoint } from '../../api/webhooks';
import { resetApiClient } from '../../lib/api';
import { useSessionStore } from '../../lib/session';
import { me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import WebhooksPage from './WebhooksPage';

const EP: WebhookEndpoint = { id: 'we1', url: 'https://hooks.example.com/topsmile', events: ['appointment.created'], description: 'CRM', createdAt: '2031-01-10T15:00:00Z' };
const delivery = (id: string, status: WebhookDelivery['status'], code?: number): WebhookDelivery => ({
  id, endpointId: 'we1', eventId: `ev-${id}`, type: 'appointment.created', status, attemptCount: 3,
  attempts: [{ at: '2031-01-10T16:00:00Z', ...(code ? { statusCode: code } : { error: 'connection refused' }), durationMs: 40 }],
  nextAt: '2031-01-10T16:00:00Z', giveUpAt: '2031-01-11T16:00:00Z', createdAt: '2031-01-10T15:00:00Z', updatedAt: '2031-01-10T16:00:00Z',
});

function renderPage() {
  return renderWithQuery(
    <MemoryRouter>
      <WebhooksPage />
    </MemoryRouter>,
  );
}

describe('WebhooksPage', () => {
  let endpoints: WebhookEndpoint[];
  let posted: unknown[];
  let resent: string[];
  let deleted: string[];
  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession(me('admin'));
    endpoints = [EP];
    posted = [];
    resent = [];
    deleted = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/webhook-endpoints': () => jsonResponse({ items: endpoints, nextCursor: null }),
          'POST /api/webhook-endpoints': (_: URL, init: RequestInit | undefined) => {
            const body = JSON.parse(String(init?.body)) as { url: string; events: string[] };
            posted.push(body);
            if (body.url.includes('127.0.0.1'))
              return jsonResponse({ error: { code: 'invalid', message: 'invalid', requestId: 'r', fields: [{ field: 'url', message: 'host 127.0.0.1 resolves to 127.0.0.1, a loopback, private, link-local or metadata address; webhooks only go to public addresses' }] } }, 400);
            const made = { id: 'we2', url: body.url, events: body.events, createdAt: '2031-01-11T15:00:00Z' };
            endpoints = [...endpoints, made];
            return jsonResponse({ ...made, secret: 'whsec_only_once_123' }, 201);
          },
          'GET /api/webhook-endpoints/we1/deliveries': { items: [delivery('d1', 'succeeded', 200), delivery('d2', 'failed')], nextCursor: null },
          'GET /api/webhook-endpoints/we2/deliveries': { items: [], nextCursor: null },
          'POST /api/webhook-endpoints/we1/deliveries/d2/resend': () => (resent.push('d2'), jsonResponse({ ...delivery('d2', 'pending') }, 202)),
          'DELETE /api/webhook-endpoints/we1': () => {
            deleted.push('we1');
            endpoints = endpoints.filter((e) => e.id !== 'we1');
            return new Response(null, { status: 204 });
          },
        }),
      ),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it('lists endpoints with their deliveries, and resends a failed one', async () => {
    renderPage();
    const table = await screen.findByRole('table', { name: 'Recent deliveries' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('Delivered');
    expect(rows[0]).toHaveTextContent('200');
    expect(within(rows[0]!).queryByRole('button')).toBeNull();
    expect(rows[1]).toHaveTextContent('Failed');
    expect(rows[1]).toHaveTextContent('connection refused');
    await userEvent.click(within(rows[1]!).getByRole('button', { name: /^Resend/ }));
    await waitFor(() => expect(resent).toEqual(['d2']));
  });

  it('shows the server’s refusal at the URL field', async () => {
    renderPage();
    await userEvent.type(await screen.findByLabelText('URL'), 'http://127.0.0.1:9/hook');
    await userEvent.click(screen.getByRole('checkbox', { name: /Appointment booked/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect(await screen.findByText(/webhooks only go to public addresses/)).toBeInTheDocument();
    expect(screen.getByLabelText('URL')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('URL')).toHaveAccessibleDescription(/webhooks only go to public addresses/);
  });

  it('asks for a URL and an event before sending', async () => {
    renderPage();
    await userEvent.click(await screen.findByRole('button', { name: 'Add endpoint' }));
    expect(screen.getByText('Enter the URL that should receive the events.')).toBeInTheDocument();
    expect(screen.getByText('Choose at least one event.')).toBeInTheDocument();
    expect(posted).toHaveLength(0);
  });

  it('shows the signing secret once, in a dialog with a copy button and a warning', async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();
    renderPage();
    await user.type(await screen.findByLabelText('URL'), 'https://crm.example.org/in');
    await user.click(screen.getByRole('checkbox', { name: /Payment received/ }));
    await user.click(screen.getByRole('checkbox', { name: /Appointment booked/ }));
    await user.click(screen.getByRole('button', { name: 'Add endpoint' }));
    const dialog = await screen.findByRole('dialog');
    // Events in the contract's order, whatever order they were ticked in.
    expect(posted[0]).toEqual({ url: 'https://crm.example.org/in', events: ['appointment.created', 'payment.succeeded'], description: '' });
    expect(within(dialog).getByLabelText('Signing secret')).toHaveValue('whsec_only_once_123');
    expect(dialog).toHaveTextContent('This secret will not be shown again.');
    await user.click(within(dialog).getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith('whsec_only_once_123');
    await user.click(within(dialog).getByRole('button', { name: 'I have stored it' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(await screen.findByRole('heading', { name: 'https://crm.example.org/in' })).toBeInTheDocument();
    expect(document.body).not.toHaveTextContent('whsec_only_once_123');
  });

  it('deletes an endpoint after a confirmation', async () => {
    renderPage();
    await userEvent.click(await screen.findByRole('button', { name: `Delete ${EP.url}…` }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete this endpoint?' });
    expect(deleted).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete endpoint' }));
    await waitFor(() => expect(deleted).toEqual(['we1']));
    await waitFor(() => expect(screen.queryByRole('heading', { name: EP.url })).toBeNull());
  });
});
