import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useCommunication, useSaveCommunication } from '../api/messages';
import { resetApiClient } from '../lib/api';
import type { CommunicationPrefs } from '../lib/types';
import { routeFetch } from '../test/fixtures';
import { jsonResponse, renderWithQuery } from '../test/render';
import { CommunicationCard } from './CommunicationCard';

function Wired({ audience }: { audience: 'staff' | 'patient' }) {
  const prefs = useCommunication('p-1');
  const save = useSaveCommunication('p-1');
  return <CommunicationCard audience={audience} prefs={prefs} save={save} />;
}

describe('CommunicationCard', () => {
  let stored: CommunicationPrefs;
  let put: unknown[];
  let answer: (body: CommunicationPrefs) => Response;

  beforeEach(() => {
    resetApiClient();
    put = [];
    stored = { preferredContactMethod: 'sms', email: 'jordan@example.com', phone: '+12125550147', optOuts: { email: false, sms: true } };
    answer = (body) => jsonResponse({ ...stored, ...body });
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/patients/p-1/communication': () => jsonResponse(stored),
          'PUT /api/patients/p-1/communication': (_u: URL, init: RequestInit | undefined) => {
            const body = JSON.parse(String(init?.body)) as CommunicationPrefs;
            put.push(body);
            return answer(body);
          },
        }),
      ),
    );
  });

  afterEach(() => vi.unstubAllGlobals());

  it('shows the channel and the opt-outs in plain words and saves them (staff)', async () => {
    const user = userEvent.setup();
    renderWithQuery(<Wired audience="staff" />);
    const form = await screen.findByRole('form', { name: 'Communication preferences' });
    expect(within(form).getByRole('radio', { name: /^Text message/ })).toBeChecked();
    expect(within(form).getByRole('radio', { name: /^Email · jordan@example.com/ })).not.toBeChecked();
    const noTexts = within(form).getByRole('checkbox', { name: 'No text messages (the patient replied STOP)' });
    expect(noTexts).toBeChecked();

    await user.click(within(form).getByRole('radio', { name: /^Email/ }));
    await user.click(noTexts);
    await user.click(within(form).getByRole('checkbox', { name: 'No emails (the patient unsubscribed)' }));
    await user.click(within(form).getByRole('button', { name: 'Save preferences' }));
    await vi.waitFor(() => expect(put).toHaveLength(1));
    expect(put[0]).toEqual({ preferredContactMethod: 'email', optOuts: { email: true, sms: false } });
  });

  it('sends no opt-out for a channel without an address (the server refuses it), and the reminders switch when the server has one', async () => {
    const user = userEvent.setup();
    stored = { preferredContactMethod: 'phone', phone: '+12125550147', appointmentReminders: true, optOuts: { email: false, sms: false } };
    renderWithQuery(<Wired audience="staff" />);
    const form = await screen.findByRole('form', { name: 'Communication preferences' });
    expect(within(form).getByRole('checkbox', { name: 'No emails (the patient unsubscribed)' })).toBeDisabled();
    expect(within(form).getByRole('radio', { name: /^Email · no email on file/ })).not.toBeChecked();
    await user.click(within(form).getByRole('checkbox', { name: 'Send appointment reminders' }));
    await user.click(within(form).getByRole('button', { name: 'Save preferences' }));
    await vi.waitFor(() => expect(put).toHaveLength(1));
    // A preference the card does not offer (phone) is left as it is.
    expect(put[0]).toEqual({ appointmentReminders: false, optOuts: { sms: false } });
  });

  it('speaks to the patient in the portal, and shows a field error at its field', async () => {
    const user = userEvent.setup();
    answer = () =>
      jsonResponse(
        { error: { code: 'invalid', message: 'invalid', requestId: 'r', fields: [{ field: 'preferredContactMethod', message: 'there is no email on file' }] } },
        400,
      );
    renderWithQuery(<Wired audience="patient" />);
    const form = await screen.findByRole('form', { name: 'Messages from the practice' });
    expect(within(form).getByRole('checkbox', { name: 'Do not text me' })).toBeChecked();
    await user.click(within(form).getByRole('button', { name: 'Save message preferences' }));
    const group = within(form).getByRole('group', { name: 'How should we reach you?' });
    expect(await within(group).findByText('there is no email on file')).toBeInTheDocument();
    expect(group).toHaveAccessibleDescription('there is no email on file');
  });
});
