import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import type { PatientRecord } from '../../lib/types';
import { routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { toMedicalHistory } from './MedicalHistoryEditor';
import PatientProfilePage from './PatientProfilePage';

const RECORD: PatientRecord = {
  id: 'pa-1',
  firstName: 'Rosa',
  lastName: 'Diaz',
  dateOfBirth: '1980-02-03',
  status: 'active',
  allergyAlert: false,
  allergies: [{ substance: 'Penicillin', severity: 'mild' }],
  medications: [{ name: 'Ibuprofen', dose: '200 mg' }],
  conditions: [],
};

describe('toMedicalHistory', () => {
  it('trims, drops blank rows and blank optional parts', () => {
    expect(
      toMedicalHistory({
        allergies: [
          { substance: ' Latex ', severity: 'severe' },
          { substance: '  ', severity: 'mild' },
        ],
        medications: [{ name: 'Aspirin', dose: ' ' }, { name: '' }],
        conditions: [{ name: 'Asthma', notes: 'inhaler' }],
      }),
    ).toEqual({
      allergies: [{ substance: 'Latex', severity: 'severe' }],
      medications: [{ name: 'Aspirin' }],
      conditions: [{ name: 'Asthma', notes: 'inhaler' }],
    });
  });
});

describe('medical history editing on the profile', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let record: PatientRecord;
  let patches: unknown[] = [];

  beforeEach(() => {
    resetApiClient();
    record = structuredClone(RECORD);
    patches = [];
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/patients/pa-1': () => jsonResponse(record),
        'GET /api/patients': { items: [], nextCursor: null },
        'GET /api/patients/pa-1/timeline': { items: [], nextCursor: null },
        'PATCH /api/patients/pa-1': (_url: URL, init: RequestInit | undefined) => {
          const body = JSON.parse(String(init?.body)) as Partial<PatientRecord>;
          patches.push(body);
          record = { ...record, ...body, allergyAlert: true, medicalHistoryUpdatedAt: '2030-01-01T10:00:00Z' };
          return jsonResponse(record);
        },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  it('adds and removes rows with labelled inputs, saves with PATCH and updates the allergy banner', async () => {
    const user = userEvent.setup();
    renderWithQuery(
      <MemoryRouter initialEntries={['/patients/pa-1']}>
        <Routes>
          <Route path="/patients/:id" element={<PatientProfilePage />} />
        </Routes>
      </MemoryRouter>,
    );
    await screen.findByRole('heading', { level: 1, name: 'Rosa Diaz' });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Edit medical history' }));
    const form = screen.getByRole('form', { name: 'Edit medical history' });
    expect(within(form).getByLabelText('Substance (allergy 1)')).toHaveValue('Penicillin');

    await user.click(within(form).getByRole('button', { name: 'Add allergy' }));
    const substance = within(form).getByLabelText('Substance (allergy 2)');
    expect(substance).toHaveFocus();
    await user.type(substance, 'Latex');
    await user.selectOptions(within(form).getByLabelText('Severity (allergy 2)'), 'life-threatening');

    await user.click(within(form).getByRole('button', { name: 'Remove medication 1' }));
    await user.click(within(form).getByRole('button', { name: 'Add condition' }));
    await user.type(within(form).getByLabelText('Condition 1'), 'Type 2 diabetes');
    await user.type(within(form).getByLabelText('Notes (condition 1)'), 'diet controlled');

    await user.click(within(form).getByRole('button', { name: 'Save medical history' }));

    const banner = await screen.findByRole('alert');
    expect(banner).toHaveTextContent(/Allergy alert/);
    expect(banner).toHaveTextContent(/Latex — LIFE-THREATENING/);
    expect(patches).toEqual([
      {
        allergies: [
          { substance: 'Penicillin', severity: 'mild' },
          { substance: 'Latex', severity: 'life-threatening' },
        ],
        medications: [],
        conditions: [{ name: 'Type 2 diabetes', notes: 'diet controlled' }],
      },
    ]);
    expect(screen.queryByRole('form', { name: 'Edit medical history' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Edit medical history' })).toHaveFocus();
    expect(screen.getByText('Type 2 diabetes (diet controlled)')).toBeInTheDocument();
  });
});
