import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Estimate } from '../api/billing';
import { resetApiClient } from '../lib/api';
import { routeFetch } from '../test/fixtures';
import { jsonResponse, renderWithQuery } from '../test/render';
import { EstimatePanel } from './EstimatePanel';

const ESTIMATE: Estimate = {
  planId: 'tp-1',
  asOf: '2031-01-15',
  currency: 'USD',
  totalCents: 135000,
  insuranceCents: 57500,
  patientCents: 77500,
  coverages: [{ id: 'cov-1', priority: 'primary', planName: 'PPO Plus' }],
  lines: [
    {
      itemId: 'i1',
      code: 'CRN-ZR',
      tooth: '19',
      category: 'major',
      feeCents: 125000,
      primaryCents: 57500,
      secondaryCents: 0,
      insuranceCents: 57500,
      patientCents: 67500,
      basis: [
        { coverage: 'primary', rule: 'deductible', text: '$50.00 of the $50.00 deductible is taken from this fee.' },
        { coverage: 'primary', rule: 'coverage', text: 'Major restorative is covered at 50%: 50% of $1,200.00 is $600.00.' },
        { coverage: 'primary', rule: 'annual_maximum', text: 'Only $575.00 of the $1,500.00 annual maximum is left.' },
      ],
    },
    {
      itemId: 'i2',
      code: 'CLN-AD',
      category: 'preventive',
      feeCents: 10000,
      primaryCents: 0,
      secondaryCents: 0,
      insuranceCents: 0,
      patientCents: 10000,
      basis: [{ coverage: 'primary', rule: 'frequency', text: 'Already 2 cleanings this benefit year (the plan pays 2): not covered.' }],
    },
  ],
};

describe('EstimatePanel', () => {
  let calls: number;
  let answer: Estimate;

  beforeEach(() => {
    resetApiClient();
    calls = 0;
    answer = ESTIMATE;
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/treatment-plans/tp-1/estimate': () => {
            calls += 1;
            return jsonResponse(answer);
          },
        }),
      ),
    );
  });

  afterEach(() => vi.unstubAllGlobals());

  it('asks for the estimate only when opened, then shows each line with its basis and the totals', async () => {
    const user = userEvent.setup();
    renderWithQuery(<EstimatePanel planId="tp-1" numbering="universal" />);
    expect(calls).toBe(0);
    await user.click(screen.getByText('Insurance estimate'));
    const table = await screen.findByRole('region', { name: 'Estimate per procedure' });
    expect(calls).toBe(1);
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('CRN-ZR #19');
    expect(rows[1]).toHaveTextContent('$1,250.00$575.00$675.00');
    expect(within(rows[1]!).getByText(/covered at 50%/)).toBeInTheDocument();
    expect(within(rows[1]!).getByText(/annual maximum is left/)).toBeInTheDocument();
    expect(rows[2]).toHaveTextContent('not covered');
    expect(rows[3]).toHaveTextContent('Total$1,350.00$575.00$775.00');
    expect(screen.getByText(/With PPO Plus \(primary\), as of 2031-01-15/)).toBeInTheDocument();
    expect(screen.getByText(/rounded half up to the cent/)).toBeInTheDocument();
  });

  it('says "no coverage" plainly when no coverage took part', async () => {
    answer = { ...ESTIMATE, coverages: [], insuranceCents: 0, patientCents: 135000, lines: [] };
    const user = userEvent.setup();
    renderWithQuery(<EstimatePanel planId="tp-1" numbering="universal" />);
    await user.click(screen.getByText('Insurance estimate'));
    expect(await screen.findByText(/No coverage on file: the patient pays the full fee of \$1,350\.00/)).toBeInTheDocument();
  });
});
