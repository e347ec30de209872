import { render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it } from 'vitest';
import { useSessionStore } from '../lib/session';
import { me } from '../test/fixtures';
import { NotFoundPage } from './NotFoundPage';

function renderPage() {
  return render(
    <MemoryRouter>
      <NotFoundPage />
    </MemoryRouter>,
  );
}

describe('NotFoundPage', () => {
  beforeEach(() => {
    useSessionStore.getState().clear();
  });

  it.each([
    ['receptionist', 'Back to the schedule', '/schedule'],
    ['dentist', 'Back to the schedule', '/schedule'],
    ['patient', 'Back to my appointments', '/portal'],
  ] as const)('links %s home', (role, name, href) => {
    useSessionStore.getState().setSession(me(role));
    renderPage();
    expect(screen.getByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name })).toHaveAttribute('href', href);
  });

  it('sends a signed-out visitor to sign-in', () => {
    renderPage();
    expect(screen.getByRole('link', { name: 'Go to sign-in' })).toHaveAttribute('href', '/sign-in');
  });
});
