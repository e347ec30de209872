import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import { routeFetch } from '../../test/fixtures';
import { jsonResponse } from '../../test/render';
import SignUpPage from './SignUpPage';
import { useSessionStore } from './sessionStore';

function renderPage() {
  return render(
    <MemoryRouter initialEntries={['/sign-up?clinic=c-1']}>
      <Routes>
        <Route path="/sign-up" element={<SignUpPage />} />
        <Route path="/portal" element={<h1>Portal</h1>} />
      </Routes>
    </MemoryRouter>,
  );
}

async function fillAndSend(email = 'pat@example.test') {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('First name'), 'Pat');
  await user.type(screen.getByLabelText('Last name'), 'Lee');
  await user.type(screen.getByLabelText('Date of birth'), '1990-04-01');
  await user.type(screen.getByLabelText('Mobile phone'), '(212) 555-0100');
  await user.type(screen.getByLabelText('Email'), email);
  await user.type(screen.getByLabelText('Password'), 'a-good-passphrase');
  await user.click(screen.getByRole('button', { name: 'Create account' }));
  return user;
}

describe('SignUpPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let bodies: Record<string, string>[] = [];

  beforeEach(() => {
    resetApiClient();
    bodies = [];
    fetchMock.mockReset();
    vi.stubGlobal('fetch', fetchMock);
    useSessionStore.getState().clear();
  });

  afterEach(() => vi.unstubAllGlobals());

  it('says "check your email" after the 202 and signs nobody in', async () => {
    fetchMock.mockImplementation(
      routeFetch({
        'POST /api/auth/register': (_url: URL, init: RequestInit | undefined) => {
          bodies.push(JSON.parse(String(init?.body)) as Record<string, string>);
          return jsonResponse({}, 202);
        },
      }),
    );
    renderPage();
    await fillAndSend(' pat@example.test ');

    const heading = await screen.findByRole('heading', { name: 'Check your email' });
    expect(heading).toHaveFocus();
    expect(screen.getByText('pat@example.test')).toBeInTheDocument();
    expect(bodies).toEqual([
      {
        clinicId: 'c-1',
        email: 'pat@example.test',
        password: 'a-good-passphrase',
        firstName: 'Pat',
        lastName: 'Lee',
        dateOfBirth: '1990-04-01',
        phone: '(212) 555-0100',
      },
    ]);
    // No session is looked up or started: the account works once the link is opened.
    expect(fetchMock.mock.calls.map(([u]) => String(u))).toEqual(['/api/auth/register']);
    expect(screen.queryByRole('heading', { name: 'Portal' })).not.toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Patient sign-up' })).not.toBeInTheDocument();
  });

  it('keeps the form and shows the field errors of a 400', async () => {
    fetchMock.mockImplementation(
      routeFetch({
        'POST /api/auth/register': () =>
          jsonResponse(
            {
              error: {
                code: 'invalid',
                message: 'validation failed',
                requestId: 'r-400',
                fields: [{ field: 'password', message: 'is too common; choose another' }],
              },
            },
            400,
          ),
      }),
    );
    renderPage();
    await fillAndSend();

    expect(await screen.findByText('Password is too common; choose another')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('Please check the highlighted details.');
    expect(screen.queryByRole('heading', { name: 'Check your email' })).not.toBeInTheDocument();
  });
});
