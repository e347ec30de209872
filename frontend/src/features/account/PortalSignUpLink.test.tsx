import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import { CLINIC, me, routeFetch } from '../../test/fixtures';
import { renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import AccountPage from './AccountPage';
import { portalSignUpLink } from './PortalSignUpLink';

const api = { 'GET /api/auth/sessions': { items: [], nextCursor: null } };

function renderAccount() {
  return renderWithQuery(
    <MemoryRouter>
      <AccountPage />
    </MemoryRouter>,
  );
}

describe('Patient portal sign-up link on the Account page', () => {
  beforeEach(() => {
    resetApiClient();
    vi.stubGlobal('fetch', vi.fn(routeFetch(api)));
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('builds the link from the clinic (its slug once it has one)', () => {
    expect(portalSignUpLink('https://app.topsmile.test', { id: 'clinic-1' })).toBe(
      'https://app.topsmile.test/sign-up?clinic=clinic-1',
    );
    expect(portalSignUpLink('https://x', { id: 'c1', slug: 'riverside-family-dental' })).toBe(
      'https://x/sign-up?clinic=riverside-family-dental',
    );
  });

  it('shows staff the link with a Copy button that copies it', async () => {
    useSessionStore.getState().setSession(me('receptionist'));
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();
    renderAccount();

    expect(screen.getByRole('heading', { name: 'Patient portal sign-up link' })).toBeInTheDocument();
    const field = screen.getByRole('textbox', { name: 'Patient portal sign-up link' });
    const link = `${window.location.origin}/sign-up?clinic=${CLINIC.id}`;
    expect(field).toHaveValue(link);
    expect(field).toHaveAttribute('readonly');

    await user.click(screen.getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith(link);
    expect(await screen.findByRole('button', { name: 'Copied' })).toBeInTheDocument();
  });

  it('is not shown to a patient', () => {
    useSessionStore.getState().setSession(me('patient'));
    renderAccount();
    expect(screen.queryByRole('heading', { name: 'Patient portal sign-up link' })).not.toBeInTheDocument();
  });
});
