import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useSessionStore } from '../lib/session';
import { toastSuccess, useToastStore } from '../lib/toast';
import { CLINIC, makeUser } from '../test/fixtures';
import { renderWithQuery } from '../test/render';
import { AppShell } from './AppShell';
import { SMALL_SCREEN, Toaster } from '../components/Toaster';

const NAV = [
  { to: '/schedule', label: 'Schedule' },
  { to: '/patients', label: 'Patients' },
];

function renderShell() {
  act(() => useSessionStore.getState().setSession({ user: makeUser('receptionist'), clinic: CLINIC, mfaEnrollmentRequired: false }));
  return renderWithQuery(
    <MemoryRouter initialEntries={['/schedule']}>
      <AppShell nav={NAV}>
        <main id="main">
          <button type="button">Save</button>
        </main>
      </AppShell>
    </MemoryRouter>,
  );
}

/** A window whose width matches `SMALL_SCREEN` or not. */
function stubScreen(small: boolean) {
  vi.stubGlobal(
    'matchMedia',
    vi.fn((query: string) => ({
      matches: query === SMALL_SCREEN ? small : false,
      media: query,
      onchange: null,
      addEventListener: () => {},
      removeEventListener: () => {},
      addListener: () => {},
      removeListener: () => {},
      dispatchEvent: () => false,
    })),
  );
}

describe('the shell on a phone', () => {
  beforeEach(() => {
    act(() => useToastStore.setState({ toasts: [] }));
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('folds navigation and sign-out behind one Menu button beside the practice name', async () => {
    const user = userEvent.setup();
    renderShell();
    const header = screen.getByRole('banner');
    expect(within(header).getByText(CLINIC.name)).toBeInTheDocument();
    const menu = within(header).getByRole('button', { name: 'Menu' });
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    const panel = document.getElementById(menu.getAttribute('aria-controls')!)!;
    expect(panel).toContainElement(within(header).getByRole('navigation', { name: 'Main' }));
    expect(panel).toContainElement(within(header).getByRole('button', { name: 'Sign out' }));

    await user.click(menu);
    expect(menu).toHaveAttribute('aria-expanded', 'true');
    expect(header).toHaveClass('shell__header--open');
    // Escape folds it again and gives focus back to Menu.
    await user.keyboard('{Escape}');
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    expect(menu).toHaveFocus();
    // Choosing a page folds it too.
    await user.click(menu);
    await user.click(within(panel).getByRole('link', { name: 'Patients' }));
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    expect(header).not.toHaveClass('shell__header--open');
  });

  it('puts toasts at the top on a phone, where they cover no Save or Cancel, and bottom right elsewhere', () => {
    stubScreen(true);
    const { unmount } = renderWithQuery(<Toaster />);
    act(() => toastSuccess('Saved.'));
    const status = screen.getByRole('status');
    expect(status).toHaveTextContent('Saved.');
    expect(status.closest('.toaster')).toHaveAttribute('data-placement', 'top');
    unmount();

    stubScreen(false);
    renderWithQuery(<Toaster />);
    expect(screen.getByRole('status').closest('.toaster')).toHaveAttribute('data-placement', 'bottom');
  });
});
