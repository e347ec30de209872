import { render, screen } from '@testing-library/react';
import { StrictMode } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import { me, routeFetch } from '../../test/fixtures';
import { jsonResponse } from '../../test/render';
import VerifyEmailPage from './VerifyEmailPage';
import { useSessionStore } from '../../lib/session';

function renderAt(path: string) {
  return render(
    <StrictMode>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/verify-email" element={<VerifyEmailPage />} />
          <Route path="/portal" element={<h1>My appointments</h1>} />
        </Routes>
      </MemoryRouter>
    </StrictMode>,
  );
}

describe('VerifyEmailPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let tokens: string[] = [];

  beforeEach(() => {
    resetApiClient();
    tokens = [];
    fetchMock.mockReset();
    vi.stubGlobal('fetch', fetchMock);
    useSessionStore.getState().clear();
  });

  afterEach(() => vi.unstubAllGlobals());

  it('spends the token once, signs the patient in and lands in the portal', async () => {
    fetchMock.mockImplementation(
      routeFetch({
        'POST /api/auth/verify-email': (_url: URL, init: RequestInit | undefined) => {
          tokens.push((JSON.parse(String(init?.body)) as { token: string }).token);
          return jsonResponse({ user: me('patient').user, mfaEnrollmentRequired: false });
        },
        'GET /api/auth/me': me('patient'),
      }),
    );
    renderAt('/verify-email?token=tok-123');

    expect(await screen.findByRole('heading', { name: 'My appointments' })).toBeInTheDocument();
    expect(tokens).toEqual(['tok-123']); // once, even under strict mode's double effects
    expect(useSessionStore.getState().status).toBe('signedIn');
    expect(useSessionStore.getState().user?.role).toBe('patient');
  });

  it('explains a spent or expired link and offers sign-in and a reset', async () => {
    fetchMock.mockImplementation(
      routeFetch({
        'POST /api/auth/verify-email': () =>
          jsonResponse(
            {
              error: {
                code: 'invalid',
                message: 'validation failed',
                requestId: 'r-400',
                fields: [{ field: 'token', message: 'is invalid or has expired' }],
              },
            },
            400,
          ),
      }),
    );
    renderAt('/verify-email?token=used');

    expect(await screen.findByRole('alert')).toHaveTextContent('This link does not work any more');
    expect(screen.getByRole('link', { name: 'sign in' })).toHaveAttribute('href', '/sign-in');
    expect(screen.getByRole('link', { name: 'reset your password' })).toHaveAttribute('href', '/forgot-password');
    expect(useSessionStore.getState().status).not.toBe('signedIn');
  });

  it('sends nothing without a token', () => {
    renderAt('/verify-email');
    expect(screen.getByRole('alert')).toHaveTextContent('This link does not work any more');
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
