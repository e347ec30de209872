import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChartEntry } from '../../api/chart';
import { resetApiClient } from '../../lib/api';
import { CLINIC, makeUser, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import { usePerioDraftStore } from './perioDraft';
import { examInput, perioSequence, readKey } from './perioModel';
import PerioPage from './PerioPage';

describe('perioSequence (the probing order)', () => {
  const seq = perioSequence();
  const names = seq.map((c) => `${c.tooth}${c.site}`);

  it('covers 32 teeth × 6 sites once', () => {
    expect(seq).toHaveLength(192);
    expect(new Set(names).size).toBe(192);
  });

  it('upper facial 1 → 16, sites in the direction of travel', () => {
    expect(names.slice(0, 6)).toEqual(['1DB', '1B', '1MB', '2DB', '2B', '2MB']);
    // Past the midline, mesial first: MB → B → DB → the next tooth.
    const nine = names.indexOf('9MB');
    expect(names.slice(nine - 1, nine + 5)).toEqual(['8MB', '9MB', '9B', '9DB', '10MB', '10B']);
    expect(names[47]).toBe('16DB');
  });

  it('then upper lingual 16 → 1, lower facial 17 → 32, lower lingual 32 → 17', () => {
    expect(names.slice(48, 51)).toEqual(['16DL', '16L', '16ML']);
    expect(names[95]).toBe('1DL');
    expect(names.slice(96, 99)).toEqual(['17DB', '17B', '17MB']);
    expect(names[143]).toBe('32DB');
    expect(names.slice(144, 147)).toEqual(['32DL', '32L', '32ML']);
    expect(names[191]).toBe('17DL');
  });

  it('skips missing teeth', () => {
    const without = perioSequence(new Set(['2', '31']));
    expect(without).toHaveLength(180);
    expect(without.slice(0, 4).map((c) => `${c.tooth}${c.site}`)).toEqual(['1DB', '1B', '1MB', '3DB']);
  });
});

describe('readKey', () => {
  it('reads digits, the + prefix for 10–15 and negative margins', () => {
    expect(readKey('4', 'depth', null)).toEqual({ kind: 'store', value: 4 });
    expect(readKey('+', 'depth', null)).toEqual({ kind: 'prefix', prefix: { tens: true, negative: false } });
    expect(readKey('2', 'depth', { tens: true, negative: false })).toEqual({ kind: 'store', value: 12 });
    expect(readKey('6', 'depth', { tens: true, negative: false }).kind).toBe('reject');
    expect(readKey('-', 'depth', null).kind).toBe('reject');
    expect(readKey('2', 'margin', { tens: false, negative: true })).toEqual({ kind: 'store', value: -2 });
    expect(readKey('0', 'margin', { tens: true, negative: true })).toEqual({ kind: 'store', value: -10 });
    expect(readKey('1', 'margin', { tens: true, negative: true }).kind).toBe('reject');
    expect(readKey('x', 'depth', null).kind).toBe('ignore');
  });
});

const PATIENT = {
  id: 'p-1',
  firstName: 'Jordan',
  lastName: 'Avery',
  dateOfBirth: '1988-04-12',
  status: 'active',
  allergyAlert: false,
  allergies: [],
  medications: [],
  conditions: [],
};

const missingTwo: ChartEntry = {
  id: 'e-1',
  patientId: 'p-1',
  tooth: '2',
  fdi: '17',
  surfaces: [],
  kind: 'missing',
  status: 'condition',
  recordedAt: '2026-10-01T14:00:00Z',
  supersedes: null,
  supersededBy: null,
};

describe('PerioPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let posted: unknown[];
  let exams: { id: string; patientId: string; recordedAt: string; summary: Record<string, number> }[];

  beforeEach(() => {
    resetApiClient();
    usePerioDraftStore.setState({ drafts: {} });
    posted = [];
    exams = [{ id: 'x-1', patientId: 'p-1', recordedAt: '2026-06-01T14:00:00Z', summary: { teeth: 28, sites: 168, bleedingSites: 4, deepSites: 0 } }];
    useSessionStore.setState({ status: 'signedIn', user: makeUser('hygienist'), clinic: CLINIC });
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/patients/p-1': PATIENT,
        'GET /api/patients/p-1/chart': { entries: [missingTwo], asOf: null, numbering: 'universal' },
        'GET /api/patients/p-1/perio-exams': () => jsonResponse({ items: exams }),
        'POST /api/patients/p-1/perio-exams': (_u: URL, init: RequestInit | undefined) => {
          const body = JSON.parse(String(init?.body)) as { teeth: unknown[] };
          posted.push(body);
          const exam = {
            id: 'x-2',
            patientId: 'p-1',
            recordedAt: '2026-11-30T15:00:00Z',
            teeth: [],
            summary: { teeth: body.teeth.length, sites: 4, bleedingSites: 1, deepSites: 1 },
          };
          exams = [exam, ...exams];
          return jsonResponse(exam, 201);
        },
        'GET /api/perio-exams/x-2': (url: URL) =>
          jsonResponse({
            id: 'x-2',
            patientId: 'p-1',
            recordedAt: '2026-11-30T15:00:00Z',
            teeth: [],
            summary: {},
            comparison:
              url.searchParams.get('compare') === 'x-1'
                ? { againstId: 'x-1', worse: [{ tooth: '3', fdi: '16', site: 'B', before: 3, after: 6, change: 3 }] }
                : undefined,
          }),
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  function renderPage() {
    return renderWithQuery(
      <MemoryRouter initialEntries={['/patients/p-1/perio']}>
        <Routes>
          <Route path="/patients/:id/perio" element={<PerioPage />} />
        </Routes>
      </MemoryRouter>,
    );
  }

  // By label, not role: a role query over the 400 inputs of the grid is slow.
  const site = (name: string) => screen.getByLabelText(new RegExp(`^Tooth ${name} depth`));

  it('a digit stores the site and moves on; b toggles bleeding; ≥ 5 mm is marked; missing teeth are skipped', async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByRole('heading', { level: 1, name: /Perio — Jordan Avery/ });
    // Tooth 2 is missing on the chart: no sites for it.
    expect(await screen.findByLabelText(/^Tooth 1 DB depth/)).toBeInTheDocument();
    expect(screen.queryByLabelText(/^Tooth 2 /)).not.toBeInTheDocument();

    await user.click(site('1 DB'));
    await user.keyboard('3');
    expect(site('1 DB')).toHaveValue('3');
    expect(site('1 B')).toHaveFocus();
    await user.keyboard('2');
    expect(site('1 MB')).toHaveFocus();
    await user.keyboard('b');
    expect(screen.getByLabelText('Tooth 1 MB depth, bleeding')).toHaveFocus();
    await user.keyboard('6');
    // On past the missing tooth 2, to tooth 3.
    expect(site('3 DB')).toHaveFocus();
    const deep = screen.getByLabelText('Tooth 1 MB depth, deep, bleeding');
    expect(deep).toHaveValue('6');
    expect(deep.closest('td')).toHaveClass('perio-site--deep');
    expect(deep.closest('td')).toHaveTextContent('▲');

    // + then a digit: 10–15 mm on one site.
    await user.keyboard('+2');
    expect(site('3 DB')).toHaveValue('12');
    expect(site('3 B')).toHaveFocus();
    // Backspace goes back.
    await user.keyboard('{Backspace}');
    expect(screen.getByLabelText(/^Tooth 3 DB depth, deep/)).toHaveFocus();
    await user.keyboard('4');
    expect(site('3 DB')).toHaveValue('4');

    // CAL = depth + margin (margin 0 until entered).
    const marginOf1DB = screen.getByLabelText('Tooth 1 DB margin');
    await user.click(marginOf1DB);
    await user.keyboard('2');
    expect(screen.getByLabelText('Tooth 1 B margin')).toHaveFocus();
    expect(screen.getByText('mm, tooth 1 DB').parentElement).toHaveTextContent('5');

    await user.click(screen.getByRole('button', { name: 'Save exam' }));
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).toEqual({
      teeth: [
        {
          tooth: '1',
          sites: [
            { site: 'MB', depth: 6, margin: 0, bleeding: true, suppuration: false },
            { site: 'B', depth: 2, margin: 0, bleeding: false, suppuration: false },
            { site: 'DB', depth: 3, margin: 2, bleeding: false, suppuration: false },
          ],
        },
        { tooth: '3', sites: [{ site: 'DB', depth: 4, margin: 0, bleeding: false, suppuration: false }] },
      ],
    });
    const summary = await screen.findByText(/^2 teeth, 4 sites, 1 bleeding, 1 at 5 mm or deeper/);
    expect(summary).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Compare with previous exam' }));
    const compare = await screen.findByRole('region', { name: /Worse by 2 mm or more since/ });
    expect(await within(compare).findByRole('row', { name: '3 B 3 mm 6 mm +3 mm' })).toBeInTheDocument();
    expect(fetchMock.mock.calls.some(([u]) => String(u).includes('/api/perio-exams/x-2?compare=x-1'))).toBe(true);
    // A long walk through a 384-input grid: generous on a busy CI machine.
  }, 60_000);

  it('the depth pass runs into the margin pass, and the last margin to Save', async () => {
    usePerioDraftStore.setState({ drafts: {} });
    const user = userEvent.setup();
    renderPage();
    const last = await screen.findByLabelText(/^Tooth 17 DL depth/);
    await user.click(last);
    await user.keyboard('3');
    expect(screen.getByLabelText('Tooth 1 DB margin')).toHaveFocus();
    await user.click(screen.getByLabelText('Tooth 17 DL margin'));
    await user.keyboard('-1');
    expect(screen.getByRole('button', { name: 'Save exam' })).toHaveFocus();
    expect(examInput(usePerioDraftStore.getState().drafts['p-1']!, new Set()).teeth).toEqual([
      { tooth: '17', sites: [{ site: 'DL', depth: 3, margin: -1, bleeding: false, suppuration: false }] },
    ]);
  });

  it('records mobility, and furcation only on posterior teeth', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.selectOptions(await screen.findByRole('combobox', { name: 'Tooth 3 mobility' }), '2');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Tooth 3 furcation' }), '1');
    expect(screen.queryByRole('combobox', { name: 'Tooth 8 furcation' })).not.toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Tooth 8 mobility' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save exam' }));
    await waitFor(() => expect(posted).toEqual([{ teeth: [{ tooth: '3', sites: [], mobility: 2, furcation: 1 }] }]));
  }, 30_000);
});
