import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CatalogProvider, CatalogType } from '../../api/catalog';
import { resetApiClient } from '../../lib/api';
import { useSessionStore } from '../../lib/session';
import { useToastStore } from '../../lib/toast';
import type { Operatory } from '../../lib/types';
import { me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import CatalogPage from './CatalogPage';

const weekday = [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }];

function renderPage() {
  return renderWithQuery(
    <MemoryRouter>
      <CatalogPage />
    </MemoryRouter>,
  );
}

const invalid = (field: string, message: string) =>
  jsonResponse({ error: { code: 'invalid', message: 'invalid', requestId: 'r-1', fields: [{ field, message }] } }, 400);

type Call = { method: string; path: string; body: unknown };

describe('CatalogPage', () => {
  let providers: CatalogProvider[];
  let chairs: Operatory[];
  let types: CatalogType[];
  let calls: Call[];
  let refuse: Record<string, () => Response>;
  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession(me('admin'));
    useToastStore.getState().clear();
    chairs = [
      { id: 'o1', name: 'Op 1', active: true },
      { id: 'o2', name: 'Op 2', active: true },
      { id: 'o3', name: 'Old surgery', active: false },
    ];
    providers = [
      { id: 'p1', name: 'Dr Okafor', kind: 'dentist', colour: '#1f6feb', hours: { monday: weekday }, operatories: ['o1'], active: true, timeOff: [] },
      { id: 'p2', name: 'Ana Retired', kind: 'hygienist', colour: '#aa3377', hours: {}, operatories: [], active: false },
    ];
    types = [
      { id: 't1', name: 'Cleaning', category: 'hygiene', durationMinutes: 60, colour: '#2da44e', bookableOnline: true, bufferBeforeMinutes: 0, bufferAfterMinutes: 10, recallMonths: 6, providerKinds: ['hygienist'], active: true },
    ];
    calls = [];
    refuse = {};
    const record = (method: string, path: string, answer: (body: Record<string, unknown>) => unknown, status = 200) =>
      (_: URL, init: RequestInit | undefined) => {
        const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : undefined;
        calls.push({ method, path, body });
        const refusal = refuse[`${method} ${path}`];
        if (refusal) return refusal();
        return jsonResponse(answer(body ?? {}), status);
      };
    const patchIn = <T extends { id: string }>(list: () => T[], set: (l: T[]) => void, id: string) => (body: Record<string, unknown>) => {
      set(list().map((x) => (x.id === id ? { ...x, ...body } : x)));
      return list().find((x) => x.id === id);
    };
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/providers': () => jsonResponse({ items: providers, nextCursor: null }),
          'GET /api/operatories': () => jsonResponse({ items: chairs, nextCursor: null }),
          'GET /api/appointment-types': () => jsonResponse({ items: types, nextCursor: null }),
          'POST /api/operatories': record('POST', '/api/operatories', (b) => {
            const made = { id: 'o9', name: String(b.name), active: true };
            chairs = [...chairs, made];
            return made;
          }, 201),
          'PATCH /api/operatories/o2': record('PATCH', '/api/operatories/o2', patchIn(() => chairs, (l) => (chairs = l), 'o2')),
          'PATCH /api/appointment-types/t1': record('PATCH', '/api/appointment-types/t1', patchIn(() => types, (l) => (types = l), 't1')),
          'PATCH /api/providers/p2': record('PATCH', '/api/providers/p2', patchIn(() => providers, (l) => (providers = l), 'p2')),
          'PUT /api/providers/p1/hours': record('PUT', '/api/providers/p1/hours', (b) => patchIn(() => providers, (l) => (providers = l), 'p1')({ hours: b.hours })),
          'POST /api/providers/p1/time-off': record('POST', '/api/providers/p1/time-off', (b) => patchIn(() => providers, (l) => (providers = l), 'p1')({ timeOff: [b] }), 201),
        }),
      ),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  const item = async (list: string, name: string) =>
    (await within(await screen.findByRole('list', { name: list })).findByRole('heading', { name })).closest('li')!;
  const toasts = () => useToastStore.getState().toasts.map((t) => t.message);

  it('lists providers (inactive ones too), chairs and types', async () => {
    renderPage();
    const okafor = await item('Providers', 'Dr Okafor');
    expect(okafor).toHaveTextContent('Chairs: Op 1');
    expect(okafor).toHaveTextContent('Works Mon');
    expect(okafor).toHaveTextContent('Active');
    expect(await item('Providers', 'Ana Retired')).toHaveTextContent('Inactive');
    expect(await item('Chairs', 'Old surgery')).toHaveTextContent('Inactive');
    expect(await item('Appointment types', 'Cleaning')).toHaveTextContent('Hygiene · 60 min (+0 before, +10 after) · Bookable online · hygienist');
  });

  it('deactivates a chair only after confirming, and activates a provider at once', async () => {
    renderPage();
    await userEvent.click(within(await item('Chairs', 'Op 2')).getByRole('button', { name: 'Deactivate Op 2' }));
    const confirm = await screen.findByRole('alertdialog', { name: 'Deactivate Op 2?' });
    expect(confirm).toHaveAccessibleDescription(/Appointments already in it stay/);
    expect(calls).toHaveLength(0);
    await userEvent.click(within(confirm).getByRole('button', { name: 'Deactivate chair' }));
    await waitFor(() => expect(calls).toEqual([{ method: 'PATCH', path: '/api/operatories/o2', body: { active: false } }]));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(toasts()).toContain('Op 2 is deactivated.');
    expect(await item('Chairs', 'Op 2')).toHaveTextContent('Inactive');
    // Focus comes back to the same button, now offering the way back.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Activate Op 2' }));

    await userEvent.click(within(await item('Providers', 'Ana Retired')).getByRole('button', { name: 'Activate Ana Retired' }));
    await waitFor(() => expect(calls[1]).toEqual({ method: 'PATCH', path: '/api/providers/p2', body: { active: true } }));
  });

  it('edits every field of a type, checking it first and showing the server’s refusal at its field', async () => {
    renderPage();
    await userEvent.click(within(await item('Appointment types', 'Cleaning')).getByRole('button', { name: 'Edit Cleaning' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit Cleaning' });
    const length = within(dialog).getByLabelText('Length (minutes)');
    await userEvent.clear(length);
    await userEvent.type(length, '42');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save appointment type' }));
    expect(length).toHaveAccessibleDescription('Enter 5 to 480 minutes, in steps of 5.');
    expect(calls).toHaveLength(0);

    await userEvent.clear(length);
    await userEvent.type(length, '45');
    await userEvent.selectOptions(within(dialog).getByLabelText('Default chair'), 'o2');
    await userEvent.click(within(dialog).getByLabelText('Dentists'));
    await userEvent.click(within(dialog).getByLabelText('Patients can book it online'));
    refuse['PATCH /api/appointment-types/t1'] = () => invalid('defaultOperatoryId', 'is not a chair of this practice');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save appointment type' }));
    await waitFor(() => expect(within(dialog).getByLabelText('Default chair')).toHaveAccessibleDescription('is not a chair of this practice'));
    expect(calls[0]!.body).toEqual({
      name: 'Cleaning', category: 'hygiene', durationMinutes: 45, colour: '#2da44e', bufferBeforeMinutes: 0, bufferAfterMinutes: 10,
      bookableOnline: false, defaultOperatoryId: 'o2', recallMonths: 6, providerKinds: ['hygienist', 'dentist'],
    });

    delete refuse['PATCH /api/appointment-types/t1'];
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save appointment type' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(toasts()).toContain('Cleaning saved.');
    expect(await item('Appointment types', 'Cleaning')).toHaveTextContent('45 min');
  });

  it('adds a chair, showing a refused name at the field', async () => {
    renderPage();
    await userEvent.click(await screen.findByText('Add a chair'));
    const name = screen.getByLabelText('Chair name');
    await userEvent.click(screen.getByRole('button', { name: 'Add chair' }));
    expect(name).toHaveAccessibleDescription('Enter the chair’s name.');
    refuse['POST /api/operatories'] = () => invalid('name', 'is required');
    await userEvent.type(name, '   x');
    await userEvent.click(screen.getByRole('button', { name: 'Add chair' }));
    await waitFor(() => expect(name).toHaveAccessibleDescription('is required'));
    delete refuse['POST /api/operatories'];
    await userEvent.clear(name);
    await userEvent.type(name, 'Op 3');
    await userEvent.click(screen.getByRole('button', { name: 'Add chair' }));
    await waitFor(() => expect(calls.at(-1)).toEqual({ method: 'POST', path: '/api/operatories', body: { name: 'Op 3' } }));
    expect(await item('Chairs', 'Op 3')).toHaveTextContent('Active');
  });

  it('sets a provider’s weekly hours and adds time off', async () => {
    renderPage();
    await userEvent.click(within(await item('Providers', 'Dr Okafor')).getByRole('button', { name: 'Hours of Dr Okafor' }));
    const hours = await screen.findByRole('dialog', { name: 'Dr Okafor’s working hours' });
    // Monday keeps its lunch break; Tuesday opens.
    expect(within(hours).getAllByLabelText('Monday from').map((i) => (i as HTMLInputElement).value)).toEqual(['08:00', '13:00']);
    await userEvent.click(within(within(hours).getByRole('group', { name: 'Tuesday' })).getByRole('checkbox'));
    await userEvent.click(within(hours).getByRole('button', { name: 'Save hours' }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toMatchObject({ method: 'PUT', path: '/api/providers/p1/hours' });
    expect((calls[0]!.body as { hours: unknown }).hours).toMatchObject({ monday: weekday, tuesday: [{ start: '09:00', end: '17:00' }], sunday: [] });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    await userEvent.click(within(await item('Providers', 'Dr Okafor')).getByRole('button', { name: 'Time off for Dr Okafor' }));
    const off = await screen.findByRole('dialog', { name: 'Dr Okafor’s time off' });
    await userEvent.type(within(off).getByLabelText('From'), '2031-02-10');
    await userEvent.type(within(off).getByLabelText('To'), '2031-02-08');
    await userEvent.click(within(off).getByRole('button', { name: 'Add time off' }));
    expect(within(off).getByLabelText('To')).toHaveAccessibleDescription('The last day cannot be before the first.');
    await userEvent.clear(within(off).getByLabelText('To'));
    await userEvent.type(within(off).getByLabelText('To'), '2031-02-12');
    await userEvent.type(within(off).getByLabelText('Reason (optional)'), 'Conference');
    await userEvent.click(within(off).getByRole('button', { name: 'Add time off' }));
    await waitFor(() =>
      expect(calls.at(-1)).toEqual({ method: 'POST', path: '/api/providers/p1/time-off', body: { from: '2031-02-10', to: '2031-02-12', reason: 'Conference' } }),
    );
    expect(await within(off).findByRole('list', { name: 'Recorded time off' })).toHaveTextContent('2031-02-10 to 2031-02-12 · Conference');
  });
});
