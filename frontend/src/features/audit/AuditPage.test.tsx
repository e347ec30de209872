import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditRecord, AuditVerification } from '../../api/audit';
import type { StaffUser } from '../../api/users';
import { resetApiClient } from '../../lib/api';
import { useSessionStore } from '../../lib/session';
import { makeUser, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import AuditPage from './AuditPage';

const rec = (seq: number, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  id: `a${seq}`, seq, actorId: 'u-dentist', actorRole: 'dentist', action: 'patient.read', resource: `patients/p-ana`, patientId: 'p-ana',
  requestId: `r${seq}`, ip: '203.0.113.9', outcome: 'success', detail: '', at: '2031-01-10T15:04:00Z', ...extra,
});
const ANA = { id: 'p-ana', firstName: 'Ana', lastName: 'Lima', dateOfBirth: '1990-04-02', phone: '', email: '' };
const staff: StaffUser[] = [
  { ...makeUser('admin'), disabled: false },
  { ...makeUser('dentist', { firstName: 'Dee', lastName: 'Ng' }), disabled: false },
];

let location = '';
function Probe() {
  location = useLocation().search;
  return null;
}

function renderPage(search = '') {
  return renderWithQuery(
    <MemoryRouter initialEntries={[`/admin/audit${search}`]}>
      <AuditPage />
      <Probe />
    </MemoryRouter>,
  );
}

describe('AuditPage', () => {
  let lists: URLSearchParams[];
  /** The ids each GET /api/patients?ids= named. */
  let named: string[][];
  let verification: AuditVerification;
  beforeEach(() => {
    resetApiClient();
    named = [];
    useSessionStore.getState().setSession(me('admin'));
    lists = [];
    verification = { ok: true, checked: 42 };
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/audit-logs': (url: URL) => {
            if (url.searchParams.get('verify') === 'true') return jsonResponse(verification);
            lists.push(url.searchParams);
            if (url.searchParams.get('cursor') === 'next')
              return jsonResponse({ items: [rec(1, { action: 'auth.login', patientId: '', resource: 'sessions/s1', actorId: 'u-admin', actorRole: 'admin' })], nextCursor: null });
            return jsonResponse({
              items: [
                rec(3, { action: 'authz.denied', outcome: 'denied', detail: '=HYPERLINK("x")', actorId: 'gone', actorRole: 'receptionist' }),
                rec(2),
              ],
              nextCursor: 'next',
            });
          },
          'GET /api/users': { items: staff, nextCursor: null },
          'GET /api/patients': (url: URL) => {
            const ids = url.searchParams.get('ids');
            if (ids !== null) named.push(ids.split(','));
            const found = ids !== null ? ids.split(',').includes(ANA.id) : url.searchParams.get('q') === 'Ana';
            return jsonResponse({ items: found ? [ANA] : [], nextCursor: null });
          },
          'GET /api/patients/p-ana': ANA,
        }),
      ),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it('shows the records with names for people and patients, and loads more', async () => {
    const user = userEvent.setup();
    renderPage();
    const table = await screen.findByRole('table');
    const rows = () => within(table).getAllByRole('row').slice(1);
    await waitFor(() => expect(rows()[1]).toHaveTextContent('Dee Ng'));
    expect(rows()[1]).toHaveTextContent('Patient record viewed');
    await waitFor(() => expect(rows()[1]).toHaveTextContent('Ana Lima'));
    // Named by reading just the patients the rows show, not the whole list.
    expect(named).toEqual([['p-ana']]);
    // 10:04 in New York on Jan 10.
    expect(rows()[1]).toHaveTextContent('2031-01-10 10:04');
    // An actor no longer on the staff list: their role and id.
    expect(rows()[0]).toHaveTextContent('Receptionist gone');
    expect(rows()[0]).toHaveTextContent('denied');
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(rows()[2]).toHaveTextContent('Grace Kim');
    expect(rows()[2]).toHaveTextContent('Sign-in');
    expect(lists.map((p) => p.get('cursor'))).toEqual([null, 'next']);
    expect(screen.getByText('That is every matching record.')).toBeInTheDocument();
  });

  it('filters by user, action and clinic-local dates, and keeps them in the URL', async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByRole('table');
    await user.selectOptions(screen.getByLabelText('User'), 'u-dentist');
    await waitFor(() => expect(lists.at(-1)?.get('userId')).toBe('u-dentist'));
    await user.type(screen.getByLabelText('Action'), 'chart.write');
    await waitFor(() => expect(lists.at(-1)?.get('action')).toBe('chart.write'));
    await user.type(screen.getByLabelText('From'), '2031-03-09');
    await user.type(screen.getByLabelText('To'), '2031-03-09');
    // The day of the spring change in New York: 23 hours, midnight to midnight local.
    await waitFor(() => expect(lists.at(-1)?.get('to')).toBe('2031-03-10T04:00:00.000Z'));
    expect(lists.at(-1)?.get('from')).toBe('2031-03-09T05:00:00.000Z');
    expect(new URLSearchParams(location).get('userId')).toBe('u-dentist');
    expect(new URLSearchParams(location).get('action')).toBe('chart.write');
    expect(new URLSearchParams(location).get('from')).toBe('2031-03-09');
  });

  it('reads its filters from the URL and refuses an end before the start', async () => {
    renderPage('?from=2031-02-10&to=2031-02-01');
    expect(await screen.findByText('Must not be before the start date.')).toBeInTheDocument();
    expect(screen.getByLabelText('To')).toHaveAttribute('aria-invalid', 'true');
    expect(lists).toHaveLength(0);
  });

  it('finds a patient by name and filters by their id', async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByRole('table');
    await user.type(screen.getByLabelText('Patient'), 'Ana');
    await user.click(await screen.findByRole('button', { name: /Ana Lima/ }));
    await waitFor(() => expect(lists.at(-1)?.get('patientId')).toBe('p-ana'));
    expect(new URLSearchParams(location).get('patientId')).toBe('p-ana');
    await user.click(await screen.findByRole('button', { name: 'Clear the patient filter (Ana Lima)' }));
    await waitFor(() => expect(new URLSearchParams(location).get('patientId')).toBeNull());
  });

  it('verifies the chain and announces the result', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Verify chain' }));
    const status = screen.getAllByRole('status').find((s) => s.textContent?.includes('chain'))!;
    await waitFor(() => expect(status).toHaveTextContent('The chain is intact: 42 records checked.'));
    verification = { ok: false, checked: 6, brokenAtSeq: 7, problem: 'hash mismatch' };
    await user.click(screen.getByRole('button', { name: 'Verify chain' }));
    await waitFor(() => expect(status).toHaveTextContent('The chain is broken at record 7 (hash mismatch); 6 records before it check out.'));
  });

  it('downloads the loaded rows as CSV with formula cells defused', async () => {
    const user = userEvent.setup();
    const created: Blob[] = [];
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: vi.fn((b: Blob) => (created.push(b), 'blob:csv')), revokeObjectURL: vi.fn() }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      expect(this.download).toMatch(/^audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
    });
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Download CSV (2 rows)' }));
    expect(click).toHaveBeenCalledOnce();
    click.mockRestore();
    expect(created).toHaveLength(1);
    // jsdom's Blob has no text(): read it as a browser would.
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(created[0]!);
    });
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('seq,at,actorId,actorRole,action,resource,patientId,outcome,detail,requestId,ip');
    expect(lines).toHaveLength(4); // header, two rows, the final CRLF
    expect(lines[1]).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
