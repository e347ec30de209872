import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import { routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import PatientNewPage from './PatientNewPage';

describe('PatientNewPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let posts: unknown[] = [];

  beforeEach(() => {
    resetApiClient();
    posts = [];
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'POST /api/patients': (_url: URL, init: RequestInit | undefined) => {
          const body = JSON.parse(String(init?.body)) as Record<string, string>;
          posts.push(body);
          if (!body.dateOfBirth || (!body.phone && !body.email)) {
            return jsonResponse(
              {
                error: {
                  code: 'invalid',
                  message: 'validation failed',
                  requestId: 'req-400',
                  fields: [
                    { field: 'dateOfBirth', message: 'is required' },
                    { field: 'phone', message: 'a phone number or an email address is required' },
                  ],
                },
              },
              400,
            );
          }
          return jsonResponse({ id: 'pa-9', status: 'active', allergyAlert: false, allergies: [], ...body }, 201);
        },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  it('shows the server’s field errors next to the fields, then creates the patient', async () => {
    const user = userEvent.setup();
    renderWithQuery(
      <MemoryRouter initialEntries={['/patients/new']}>
        <Routes>
          <Route path="/patients/new" element={<PatientNewPage />} />
          <Route path="/patients/:id" element={<h1>Profile page</h1>} />
        </Routes>
      </MemoryRouter>,
    );
    await user.type(screen.getByLabelText('First name'), 'Rosa');
    await user.type(screen.getByLabelText('Last name'), 'Diaz');
    await user.click(screen.getByRole('button', { name: 'Add patient' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Please check the highlighted details.');
    expect(alert).toHaveFocus();
    const dob = screen.getByLabelText('Date of birth');
    expect(dob).toHaveAttribute('aria-invalid', 'true');
    expect(dob).toHaveAccessibleDescription('Date of birth is required');
    const phone = screen.getByLabelText('Phone');
    expect(phone).toHaveAttribute('aria-invalid', 'true');
    expect(phone).toHaveAccessibleDescription(/Phone a phone number or an email address is required/);
    expect(screen.getByLabelText('First name')).not.toHaveAttribute('aria-invalid');
    // Only what was filled in is sent.
    expect(posts[0]).toEqual({ firstName: 'Rosa', lastName: 'Diaz' });

    await user.type(dob, '1990-04-01');
    await user.type(phone, '+1 555 0100');
    await user.click(screen.getByRole('button', { name: 'Add patient' }));
    expect(await screen.findByRole('heading', { name: 'Profile page' })).toBeInTheDocument();
    expect(posts[1]).toEqual({ firstName: 'Rosa', lastName: 'Diaz', dateOfBirth: '1990-04-01', phone: '+1 555 0100' });
  });
});
