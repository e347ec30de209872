import { screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppRoutes } from './App';
import { resetApiClient } from './lib/api';
import { useSessionStore } from './lib/session';
import { me, routeFetch, unauthorized } from './test/fixtures';
import { jsonResponse, renderWithQuery } from './test/render';
import userEvent from '@testing-library/user-event';

function renderAt(path: string) {
  return renderWithQuery(
    <MemoryRouter initialEntries={[path]}>
      <AppRoutes />
    </MemoryRouter>,
  );
}

const signedOutApi = {
  'GET /api/health': { status: 'ok' },
  'GET /api/auth/me': unauthorized,
  'POST /api/auth/refresh': unauthorized,
};

describe('AppRoutes', () => {
  beforeEach(() => {
    resetApiClient();
    useSessionStore.setState({ status: 'unknown', user: null, clinic: null, endReason: null });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it.each(['/', '/sign-in'])('renders the landing page with sign-in at %s when signed out', async (path) => {
    vi.stubGlobal('fetch', vi.fn(routeFetch(signedOutApi)));
    renderAt(path);

    const main = screen.getByRole('main');
    expect(within(main).getByRole('heading', { level: 1, name: 'TopSmile' })).toBeInTheDocument();
    expect(within(main).getByText(/dental care/i)).toBeInTheDocument();
    expect(within(main).getByRole('form', { name: 'Sign in' })).toBeInTheDocument();
    expect(await screen.findByText('System status: ok')).toBeInTheDocument();
  });

  it('sends a signed-out visitor of a staff page to sign-in, keeping the way back', async () => {
    vi.stubGlobal('fetch', vi.fn(routeFetch(signedOutApi)));
    renderAt('/schedule?date=2026-11-25');

    expect(await screen.findByRole('form', { name: 'Sign in' })).toBeInTheDocument();
  });

  it('after signing in, returns to the page the visitor asked for', async () => {
    let signedIn = false;
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          ...signedOutApi,
          'GET /api/auth/me': () => (signedIn ? jsonResponse(me('receptionist')) : unauthorized()),
          'POST /api/auth/login': () => {
            signedIn = true;
            return jsonResponse({ user: me('receptionist').user, mfaEnrollmentRequired: false });
          },
          'GET /api/appointments': { items: [], nextCursor: null },
          'GET /api/providers': { items: [], nextCursor: null },
          'GET /api/operatories': { items: [], nextCursor: null },
          'GET /api/appointment-types': { items: [], nextCursor: null },
          'GET /api/patients': { items: [], nextCursor: null },
        }),
      ),
    );
    renderAt('/schedule?date=2026-11-25');

    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email'), 'frontdesk@topsmile.local');
    await user.type(screen.getByLabelText('Password'), 'smile-staff-dev-2026');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Schedule' })).toBeInTheDocument();
    expect(screen.getByText('Wednesday, November 25, 2026')).toBeInTheDocument();
  });

  it('sends staff whose practice requires two-step sign-in to enrol first', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(routeFetch({ 'GET /api/auth/me': { ...me('dentist'), mfaEnrollmentRequired: true } })),
    );
    renderAt('/schedule');
    expect(await screen.findByRole('heading', { level: 1, name: 'Turn on two-step sign-in' })).toBeInTheDocument();
    expect(screen.getByText(/requires two-step sign-in/)).toBeInTheDocument();
  });

  it('shows a not-found page for unknown paths', async () => {
    vi.stubGlobal('fetch', vi.fn(routeFetch(signedOutApi)));
    renderAt('/some/deep/link');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
  });

  it('takes signed-in staff from / to the schedule', async () => {
    vi.stubGlobal('fetch', vi.fn(routeFetch({ 'GET /api/auth/me': me('receptionist') })));
    renderAt('/');
    expect(await screen.findByRole('heading', { level: 1, name: /schedule/i })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
  });

  it('keeps a patient out of the front desk: /schedule goes to the portal', async () => {
    vi.stubGlobal('fetch', vi.fn(routeFetch({ 'GET /api/auth/me': me('patient') })));
    renderAt('/schedule');
    expect(await screen.findByRole('heading', { level: 1, name: /my appointments/i })).toBeInTheDocument();
  });

  it('keeps staff out of the portal', async () => {
    vi.stubGlobal('fetch', vi.fn(routeFetch({ 'GET /api/auth/me': me('dentist') })));
    renderAt('/portal');
    expect(await screen.findByRole('heading', { level: 1, name: /schedule/i })).toBeInTheDocument();
  });
});
