import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse } from '../../test/render';
import { SignInForm } from './SignInForm';
import { useSessionStore } from './sessionStore';

async function fillAndSubmit(email = 'dr.ana@topsmile.test', password = 'correct horse') {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Email'), email);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('SignInForm', () => {
  const fetchMock = vi.fn<typeof fetch>();

  beforeEach(() => {
    fetchMock.mockReset();
    vi.stubGlobal('fetch', fetchMock);
    useSessionStore.setState({ email: null });
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
    expect(screen.getByRole('button', { name: 'Sign in' })).toHaveAttribute('type', 'submit');
    expect(screen.getByRole('form', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('posts the credentials as JSON to /api/auth/login with same-origin credentials', async () => {
    fetchMock.mockResolvedValue(jsonResponse({ user: { email: 'dr.ana@topsmile.test' } }));
    render(<SignInForm />);

    await fillAndSubmit('dr.ana@topsmile.test', 's3cret pass');

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/auth/login');
    expect(init?.method).toBe('POST');
    expect(init?.credentials).toBe('same-origin');
    expect(new Headers(init?.headers).get('Content-Type')).toBe('application/json');
    expect(JSON.parse(String(init?.body))).toEqual({
      email: 'dr.ana@topsmile.test',
      password: 's3cret pass',
    });
    expect(await screen.findByRole('status')).toHaveTextContent('Signed in as dr.ana@topsmile.test');
    expect(useSessionStore.getState().email).toBe('dr.ana@topsmile.test');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows the message from the API error body when sign-in fails', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(
        {
          error: {
            code: 'not_found',
            message: 'Sign-in is not available yet on this server.',
            requestId: 'req-123',
          },
        },
        404,
      ),
    );
    render(<SignInForm />);

    await fillAndSubmit();

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Sign-in is not available yet on this server.');
    expect(screen.getByRole('form', { name: 'Sign in' })).toHaveAccessibleDescription(
      'Sign-in is not available yet on this server.',
    );
    expect(screen.getByLabelText('Email')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    expect(useSessionStore.getState().email).toBeNull();
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

  it('clears a previous error when the user tries again', async () => {
    fetchMock
      .mockResolvedValueOnce(
        jsonResponse({ error: { code: 'invalid_credentials', message: 'Wrong email or password.' } }, 401),
      )
      .mockResolvedValueOnce(jsonResponse({}));
    render(<SignInForm />);

    await fillAndSubmit();
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password.');

    await userEvent.setup().click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Signed in as');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });
});
