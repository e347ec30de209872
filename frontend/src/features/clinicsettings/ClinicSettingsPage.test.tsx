import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdminClinic } from '../../api/clinic';
import { resetApiClient } from '../../lib/api';
import { useSessionStore } from '../../lib/session';
import { useToastStore } from '../../lib/toast';
import { CLINIC, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import ClinicSettingsPage, { timeZoneChoices } from './ClinicSettingsPage';

const weekday = [{ start: '08:00', end: '17:00' }];

function clinic(): AdminClinic {
  return {
    ...CLINIC,
    settings: {
      ...CLINIC.settings,
      currency: 'USD',
      toothNumbering: 'universal',
      mfaRequired: false,
      maxFutureAppointmentsPerPatient: 3,
      maxWaitlistEntriesPerPatient: 2,
      minBookingNoticeMinutes: 120,
      sessionHours: 12,
      address: { line1: '1 Main St', line2: '', city: 'Springfield', region: 'IL', postalCode: '62701' },
      openingHours: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday },
      smsNumber: '',
      quietHours: { start: '21:00', end: '08:00' },
      reminders: { confirmHours: 48, firstHours: 24, secondHours: 0, recall: true, consents: false },
    },
  };
}

function renderPage() {
  return renderWithQuery(
    <MemoryRouter>
      <ClinicSettingsPage />
    </MemoryRouter>,
  );
}

describe('ClinicSettingsPage', () => {
  let stored: AdminClinic;
  let patches: Record<string, unknown>[];
  let answer: ((body: Record<string, unknown>) => Response) | null;
  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession(me('admin'));
    useToastStore.getState().clear();
    stored = clinic();
    patches = [];
    answer = null;
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/clinic': () => jsonResponse(stored),
          'PATCH /api/clinic': (_: URL, init: RequestInit | undefined) => {
            const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
            patches.push(body);
            if (answer) return answer(body);
            const { name, ...settings } = body;
            stored = { ...stored, ...(name ? { name: name as string } : {}), settings: { ...stored.settings, ...settings } };
            return jsonResponse(stored);
          },
        }),
      ),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it('saves only what changed, and the session’s clinic follows', async () => {
    renderPage();
    const zone = await screen.findByLabelText('Time zone');
    expect(zone).toHaveValue('America/New_York');
    await userEvent.selectOptions(zone, 'Europe/London');
    await userEvent.selectOptions(screen.getByLabelText('Slot size'), '10');
    const sunday = screen.getByRole('group', { name: 'Sunday' });
    await userEvent.click(within(sunday).getByRole('checkbox'));
    await userEvent.click(screen.getByRole('button', { name: 'Save clinic settings' }));

    await waitFor(() => expect(patches).toHaveLength(1));
    expect(patches[0]).toEqual({
      timeZone: 'Europe/London',
      slotMinutes: 10,
      openingHours: {
        monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday,
        saturday: [], sunday: [{ start: '09:00', end: '17:00' }],
      },
    });
    await waitFor(() => expect(useSessionStore.getState().clinic?.settings.timeZone).toBe('Europe/London'));
    expect(useSessionStore.getState().clinic?.settings.slotMinutes).toBe(10);
    expect(useToastStore.getState().toasts.map((t) => t.message)).toContain('Clinic settings saved.');
  });

  it('sends nothing when nothing changed', async () => {
    renderPage();
    await userEvent.click(await screen.findByRole('button', { name: 'Save clinic settings' }));
    await waitFor(() => expect(useToastStore.getState().toasts.map((t) => t.message)).toContain('Nothing to save: no setting has changed.'));
    expect(patches).toHaveLength(0);
  });

  it('checks the server’s bounds before sending', async () => {
    renderPage();
    const street = await screen.findByLabelText('Street address');
    await userEvent.clear(street);
    const hours = screen.getByLabelText('Longest sign-in (hours)');
    await userEvent.clear(hours);
    await userEvent.type(hours, '30');
    const monday = screen.getByRole('group', { name: 'Monday' });
    const until = within(monday).getByLabelText('Monday until');
    await userEvent.clear(until);
    await userEvent.type(until, '07:00');
    await userEvent.click(screen.getByRole('button', { name: 'Save clinic settings' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Some settings need attention.');
    expect(street).toHaveAccessibleDescription(/Enter the street address/);
    expect(hours).toHaveAccessibleDescription(/from 1 to 24 hours/);
    expect(monday).toHaveAccessibleDescription('08:00–07:00 must end after it starts.');
    expect(patches).toHaveLength(0);
  });

  it('shows the server’s field errors at their fields', async () => {
    answer = () =>
      jsonResponse(
        {
          error: {
            code: 'invalid', message: 'invalid', requestId: 'r-1',
            fields: [{ field: 'address.city', message: 'must be at most 200 characters' }, { field: 'currency', message: 'must be an ISO 4217 code such as USD' }],
          },
        },
        400,
      );
    renderPage();
    const city = await screen.findByLabelText('City');
    await userEvent.type(city, 'ville');
    const currency = screen.getByLabelText('Currency');
    await userEvent.clear(currency);
    await userEvent.type(currency, 'xyz');
    await userEvent.click(screen.getByRole('button', { name: 'Save clinic settings' }));

    await waitFor(() => expect(city).toHaveAccessibleDescription('must be at most 200 characters'));
    expect(currency).toHaveAccessibleDescription(/ISO 4217 code, such as USD or EUR. must be an ISO 4217 code such as USD/);
    expect(patches[0]).toEqual({
      address: { line1: '1 Main St', line2: '', city: 'Springfieldville', region: 'IL', postalCode: '62701' },
      currency: 'XYZ',
    });
  });

  it('reads reminders and links to the messaging settings for them', async () => {
    renderPage();
    const section = (await screen.findByRole('heading', { name: 'Reminders' })).closest('section')!;
    expect(section).toHaveTextContent('First reminder24 h before');
    expect(section).toHaveTextContent('Second reminderoff');
    expect(within(section).getByRole('link', { name: /Messaging settings/ })).toHaveAttribute('href', '/settings/messaging');
  });

  it('offers the clinic’s zone even where the browser does not list it', () => {
    expect(timeZoneChoices('Mars/Olympus_Mons')[0]).toBe('Mars/Olympus_Mons');
    expect(timeZoneChoices('America/New_York')).toContain('Europe/London');
  });
});
