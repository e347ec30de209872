import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import { CLINIC, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import MessagingSettingsPage from './MessagingSettingsPage';

describe('MessagingSettingsPage', () => {
  let patched: unknown[];
  let answer: (body: Record<string, unknown>) => Response;
  const stored = {
    ...CLINIC,
    settings: {
      ...CLINIC.settings,
      smsNumber: '+12125550100',
      quietHours: { start: '21:00', end: '08:00' },
      reminders: { confirmHours: 48, firstHours: 24, secondHours: 2, recall: true, consents: false },
    },
  };

  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession(me('admin'));
    patched = [];
    answer = (body) => jsonResponse({ ...stored, settings: { ...stored.settings, ...body } });
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/clinic': stored,
          'PATCH /api/clinic': (_url: URL, init: RequestInit | undefined) => {
            const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
            patched.push(body);
            return answer(body);
          },
        }),
      ),
    );
  });

  afterEach(() => vi.unstubAllGlobals());

  function renderPage() {
    return renderWithQuery(
      <MemoryRouter>
        <MessagingSettingsPage />
      </MemoryRouter>,
    );
  }

  it('shows the stored rules and saves them flat, as PATCH /api/clinic takes them', async () => {
    const user = userEvent.setup();
    renderPage();
    const form = await screen.findByRole('form', { name: 'Messaging settings' });
    expect(within(form).getByLabelText('Practice’s texting number')).toHaveValue('+12125550100');
    expect(within(form).getByLabelText('From')).toHaveValue('21:00');
    expect(within(form).getByLabelText('Until')).toHaveValue('08:00');
    expect(within(form).getByLabelText('Second reminder (hours before)')).toHaveValue(2);
    expect(within(form).getByRole('checkbox', { name: /consent forms/ })).not.toBeChecked();

    const second = within(form).getByLabelText('Second reminder (hours before)');
    await user.clear(second);
    await user.type(second, '0');
    await user.click(within(form).getByRole('checkbox', { name: /consent forms/ }));
    await user.click(within(form).getByRole('button', { name: 'Save messaging settings' }));
    await vi.waitFor(() => expect(patched).toHaveLength(1));
    expect(patched[0]).toEqual({
      smsNumber: '+12125550100',
      quietHours: { start: '21:00', end: '08:00' },
      reminders: { confirmHours: 48, firstHours: 24, secondHours: 0, recall: true, consents: true },
    });
  });

  it('puts the server’s 400 field errors at their fields', async () => {
    const user = userEvent.setup();
    answer = () =>
      jsonResponse(
        {
          error: {
            code: 'invalid',
            message: 'invalid',
            requestId: 'r-1',
            fields: [
              { field: 'reminders.secondHours', message: 'must be sooner before the visit than the first reminder' },
              { field: 'smsNumber', message: 'must be an E.164 number such as +12125550147, or empty' },
            ],
          },
        },
        400,
      );
    renderPage();
    const form = await screen.findByRole('form', { name: 'Messaging settings' });
    await user.click(within(form).getByRole('button', { name: 'Save messaging settings' }));
    const second = within(form).getByLabelText('Second reminder (hours before)');
    await vi.waitFor(() => expect(second).toHaveAttribute('aria-invalid', 'true'));
    expect(second).toHaveAccessibleDescription(/must be sooner before the visit than the first reminder/);
    expect(within(form).getByLabelText('Practice’s texting number')).toHaveAccessibleDescription(/must be an E\.164 number/);
    expect(within(form).getByRole('alert')).toHaveTextContent('Some settings need attention.');
  });

  it('checks whole hours before asking the server', async () => {
    const user = userEvent.setup();
    renderPage();
    const form = await screen.findByRole('form', { name: 'Messaging settings' });
    await user.clear(within(form).getByLabelText('First reminder (hours before)'));
    await user.click(within(form).getByRole('button', { name: 'Save messaging settings' }));
    expect(within(form).getByLabelText('First reminder (hours before)')).toHaveAccessibleDescription(/whole number of hours/);
    expect(patched).toEqual([]);
  });
});
