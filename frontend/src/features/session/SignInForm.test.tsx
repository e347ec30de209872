import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import { me, routeFetch } from '../../test/fixtures';
import { jsonResponse } from '../../test/render';
import { SignInForm } from './SignInForm';
import { useSessionStore } from '../../lib/session';

async function fillAndSubmit(email = 'dr.ana@topsmile.test', password = 'correct horse') {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Email'), email);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  return user;
}

describe('SignInForm', () => {
  const fetchMock = vi.fn<typeof fetch>();

  beforeEach(() => {
    resetApiClient();
    fetchMock.mockReset();
    vi.stubGlobal('fetch', fetchMock);
    useSessionStore.getState().clear();
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('renders labelled email and password fields and a submit button', () => {
    render(<SignInForm />);

    const email = screen.getByLabelText('Email');
    const password = screen.getByLabelText('Password');
    expect(email).toHaveAttribute('type', 'email');
    expect(email).toHaveAttribute('autocomplete', 'username');
    expect(email).toBeRequired();
    expect(password).toHaveAttribute('type', 'password');
    expect(password).toHaveAttribute('autocomplete', 'current-password');
    expect(password).toBeRequired();
    expect(screen.queryByLabelText('Authentication code')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign in' })).toHaveAttribute('type', 'submit');
    expect(screen.getByRole('form', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('posts the credentials, loads the session and reports the signed-in user', async () => {
    fetchMock.mockImplementation(
      routeFetch({
        'POST /api/auth/login': { user: me('receptionist').user, mfaEnrollmentRequired: false },
        'GET /api/auth/me': me('receptionist'),
      }),
    );
    const onSignedIn = vi.fn();
    render(<SignInForm onSignedIn={onSignedIn} />);

    await fillAndSubmit('dr.ana@topsmile.test', 's3cret pass');

    await waitFor(() => expect(onSignedIn).toHaveBeenCalledTimes(1));
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/auth/login');
    expect(init?.method).toBe('POST');
    expect(init?.credentials).toBe('same-origin');
    expect(new Headers(init?.headers).get('Content-Type')).toBe('application/json');
    expect(JSON.parse(String(init?.body))).toEqual({ email: 'dr.ana@topsmile.test', password: 's3cret pass' });
    expect(useSessionStore.getState().status).toBe('signedIn');
    expect(useSessionStore.getState().user?.role).toBe('receptionist');
    expect(useSessionStore.getState().clinic?.settings.idleLogoffMinutes).toBe(15);
  });

  it('asks for the authenticator code when the server wants one, then sends it', async () => {
    let logins = 0;
    fetchMock.mockImplementation(
      routeFetch({
        'POST /api/auth/login': (_url: URL, init: RequestInit | undefined) => {
          logins += 1;
          const body = JSON.parse(String(init?.body)) as { totp?: string };
          if (!body.totp) {
            return jsonResponse(
              {
                error: {
                  code: 'unauthorized',
                  message: 'enter the code from your authenticator app',
                  fields: [{ field: 'totp', message: 'is required' }],
                },
              },
              401,
            );
          }
          return jsonResponse({ user: me('dentist').user, mfaEnrollmentRequired: false });
        },
        'GET /api/auth/me': me('dentist'),
      }),
    );
    const onSignedIn = vi.fn();
    render(<SignInForm onSignedIn={onSignedIn} />);

    const user = await fillAndSubmit();

    const code = await screen.findByLabelText('Authentication code');
    await waitFor(() => expect(code).toHaveFocus());
    expect(code).toHaveAttribute('autocomplete', 'one-time-code');
    expect(screen.getByRole('alert')).toHaveTextContent(/6-digit code/);

    await user.type(code, '123456');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() => expect(onSignedIn).toHaveBeenCalled());
    expect(logins).toBe(2);
    const second = fetchMock.mock.calls.filter(([u]) => u === '/api/auth/login')[1]!;
    expect(JSON.parse(String(second[1]?.body))).toMatchObject({ totp: '123456' });
  });

  it('says the credentials are wrong on 401, with the reference', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse({ error: { code: 'unauthorized', message: 'email or password is incorrect', requestId: 'req-9' } }, 401),
    );
    render(<SignInForm />);

    await fillAndSubmit();

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The email or password is incorrect.');
    expect(alert).toHaveTextContent('req-9');
    expect(screen.getByLabelText('Email')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    expect(useSessionStore.getState().status).toBe('signedOut');
    // A failed sign-in is not a reason to try refreshing a session.
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('falls back to a "not available yet" message on a 404 without a JSON body', async () => {
    fetchMock.mockResolvedValue(new Response('404 page not found', { status: 404 }));
    render(<SignInForm />);

    await fillAndSubmit();

    expect(await screen.findByRole('alert')).toHaveTextContent(/sign-in is not available yet/i);
  });

  it('shows a connection message when the request cannot be sent', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    render(<SignInForm />);

    await fillAndSubmit();

    expect(await screen.findByRole('alert')).toHaveTextContent(/could not reach topsmile/i);
  });
});
