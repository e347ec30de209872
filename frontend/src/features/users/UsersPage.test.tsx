import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StaffUser } from '../../api/users';
import { resetApiClient } from '../../lib/api';
import { useSessionStore } from '../../lib/session';
import { useToastStore } from '../../lib/toast';
import { makeUser, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import UsersPage from './UsersPage';

const staff = (id: string, extra: Partial<StaffUser>): StaffUser => ({
  ...makeUser('dentist', { id, email: `${id}@topsmile.test`, firstName: id, lastName: 'Doe' }),
  disabled: false,
  updatedAt: '2031-01-10T15:00:00Z',
  ...extra,
});

function renderPage() {
  return renderWithQuery(
    <MemoryRouter>
      <UsersPage />
    </MemoryRouter>,
  );
}

const rowOf = async (name: string) => (await screen.findByRole('rowheader', { name: new RegExp(`^${name}`) })).closest('tr')!;

describe('UsersPage', () => {
  let users: StaffUser[];
  let calls: string[];
  let posted: unknown[];
  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession(me('admin'));
    useToastStore.setState({ toasts: [] });
    users = [
      { ...makeUser('admin'), disabled: false, updatedAt: '2031-01-01T12:00:00Z' },
      staff('Ana', { role: 'dentist', mfaEnabled: true }),
      staff('Ben', { role: 'receptionist', disabled: true }),
      { ...staff('Pat', { role: 'patient' }) },
    ];
    calls = [];
    posted = [];
    const change = (id: string, patch: Partial<StaffUser>) => {
      users = users.map((u) => (u.id === id ? { ...u, ...patch } : u));
      return jsonResponse(users.find((u) => u.id === id));
    };
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/users': () => jsonResponse({ items: users, nextCursor: null }),
          'POST /api/users': (_: URL, init: RequestInit | undefined) => {
            const body = JSON.parse(String(init?.body)) as StaffUser & { password?: string };
            posted.push(body);
            if (body.email === 'taken@topsmile.test')
              return jsonResponse({ error: { code: 'invalid', message: 'invalid', requestId: 'r', fields: [{ field: 'email', message: 'is already registered' }] } }, 400);
            const made = staff('Cy', { ...body, id: 'Cy' });
            users = [...users, made];
            return jsonResponse(made, 201);
          },
          'PATCH /api/users/Ana': (_: URL, init: RequestInit | undefined) => {
            calls.push(`PATCH Ana ${String(init?.body)}`);
            return change('Ana', JSON.parse(String(init?.body)) as Partial<StaffUser>);
          },
          'PATCH /api/users/Ben': (_: URL, init: RequestInit | undefined) => {
            calls.push(`PATCH Ben ${String(init?.body)}`);
            return change('Ben', JSON.parse(String(init?.body)) as Partial<StaffUser>);
          },
          'DELETE /api/users/Ana': () => (calls.push('DELETE Ana'), change('Ana', { disabled: true })),
          'DELETE /api/users/Ana/mfa': () => (calls.push('DELETE Ana/mfa'), change('Ana', { mfaEnabled: false })),
          'DELETE /api/users/Ana/sessions': () => (calls.push('DELETE Ana/sessions'), new Response(null, { status: 204 })),
        }),
      ),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it('lists staff (not patients) with role, two-step, status and last change', async () => {
    renderPage();
    const ana = await rowOf('Ana Doe');
    expect(ana).toHaveTextContent('Ana@topsmile.test');
    expect(within(ana).getByRole('combobox', { name: 'Role of Ana Doe' })).toHaveValue('dentist');
    expect(ana).toHaveTextContent('On');
    expect(ana).toHaveTextContent('Active');
    expect(ana.querySelector('time')).toHaveAttribute('dateTime', '2031-01-10T15:00:00Z');
    const ben = await rowOf('Ben Doe');
    expect(ben).toHaveTextContent('Deactivated');
    expect(within(ben).getByRole('button', { name: 'Reactivate Ben Doe…' })).toBeInTheDocument();
    expect(screen.queryByRole('rowheader', { name: /^Pat Doe/ })).toBeNull();
  });

  it('does not let the admin change their own role or deactivate themselves, and says why', async () => {
    renderPage();
    const self = await rowOf('Grace Kim');
    expect(self).toHaveTextContent('(you)');
    expect(self).toHaveTextContent('You cannot change your own role.');
    expect(within(self).queryByRole('combobox')).toBeNull();
    expect(within(self).queryByRole('button')).toBeNull();
  });

  it('invites with first and last name, email and role, without a password', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.type(await screen.findByLabelText('First name'), ' Cy ');
    await user.type(screen.getByLabelText('Last name'), 'Lee');
    await user.type(screen.getByLabelText('Email'), 'cy@topsmile.test');
    await user.selectOptions(screen.getByLabelText('Role'), 'hygienist');
    await user.click(screen.getByRole('button', { name: 'Send invitation' }));
    await waitFor(() => expect(posted).toEqual([{ firstName: 'Cy', lastName: 'Lee', email: 'cy@topsmile.test', role: 'hygienist' }]));
    expect(await rowOf('Cy Lee')).toBeInTheDocument();
    expect(useToastStore.getState().toasts.at(-1)?.message).toMatch(/Invitation sent to cy@topsmile.test/);
    expect(screen.getByLabelText('First name')).toHaveValue('');
  });

  it('shows the server’s refusal at the email field, and asks for the names first', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Send invitation' }));
    expect(screen.getByText('Enter their first name.')).toBeInTheDocument();
    expect(posted).toHaveLength(0);
    await user.type(screen.getByLabelText('First name'), 'Dee');
    await user.type(screen.getByLabelText('Last name'), 'Ray');
    await user.type(screen.getByLabelText('Email'), 'taken@topsmile.test');
    await user.click(screen.getByRole('button', { name: 'Send invitation' }));
    expect(await screen.findByText('is already registered')).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Email')).toHaveAccessibleDescription('is already registered');
  });

  it('changes a role with Save, noting it signs the user out', async () => {
    const user = userEvent.setup();
    renderPage();
    const ana = await rowOf('Ana Doe');
    const select = within(ana).getByRole('combobox', { name: 'Role of Ana Doe' });
    expect(select).toHaveAccessibleDescription(/signs them out/);
    await user.selectOptions(select, 'hygienist');
    await user.click(within(ana).getByRole('button', { name: 'Save role of Ana Doe' }));
    await waitFor(() => expect(calls).toEqual(['PATCH Ana {"role":"hygienist"}']));
    await waitFor(() => expect(within(ana).queryByRole('button', { name: 'Save role of Ana Doe' })).toBeNull());
    expect(useToastStore.getState().toasts.at(-1)?.message).toMatch(/Ana Doe is now hygienist; they were signed out/);
  });

  it('deactivates only after confirming, and the list shows it', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(within(await rowOf('Ana Doe')).getByRole('button', { name: 'Deactivate Ana Doe…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Deactivate Ana Doe?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(calls).toEqual([]);
    await user.click(within(await rowOf('Ana Doe')).getByRole('button', { name: 'Deactivate Ana Doe…' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Deactivate' }));
    await waitFor(() => expect(calls).toEqual(['DELETE Ana']));
    await waitFor(async () => expect(await rowOf('Ana Doe')).toHaveTextContent('Deactivated'));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('reactivates a deactivated user', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(within(await rowOf('Ben Doe')).getByRole('button', { name: 'Reactivate Ben Doe…' }));
    await user.click(within(await screen.findByRole('dialog', { name: 'Reactivate Ben Doe?' })).getByRole('button', { name: 'Reactivate' }));
    await waitFor(() => expect(calls).toEqual(['PATCH Ben {"disabled":false}']));
    await waitFor(async () => expect(await rowOf('Ben Doe')).toHaveTextContent('Active'));
  });

  it('resets two-step sign-in and ends sessions after confirming', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(within(await rowOf('Ana Doe')).getByRole('button', { name: 'Reset two-step sign-in of Ana Doe…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reset the two-step sign-in of Ana Doe?' });
    expect(dialog).toHaveTextContent('signed out everywhere');
    await user.click(within(dialog).getByRole('button', { name: 'Reset two-step sign-in' }));
    await waitFor(() => expect(calls).toEqual(['DELETE Ana/mfa']));
    // Off now, so no reset button any more.
    await waitFor(async () => expect(within(await rowOf('Ana Doe')).queryByRole('button', { name: /Reset two-step/ })).toBeNull());

    await user.click(within(await rowOf('Ana Doe')).getByRole('button', { name: 'End sessions of Ana Doe…' }));
    await user.click(within(await screen.findByRole('dialog', { name: 'Sign Ana Doe out everywhere?' })).getByRole('button', { name: 'End sessions' }));
    await waitFor(() => expect(calls).toEqual(['DELETE Ana/mfa', 'DELETE Ana/sessions']));
    expect(useToastStore.getState().toasts.at(-1)?.message).toBe('Ana Doe was signed out everywhere.');
  });
});
