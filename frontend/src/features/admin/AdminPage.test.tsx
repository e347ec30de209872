import { render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import AdminPage from './AdminPage';

describe('AdminPage', () => {
  it('links every administration screen under its group', () => {
    render(
      <MemoryRouter>
        <AdminPage />
      </MemoryRouter>,
    );
    expect(screen.getByRole('heading', { level: 1, name: 'Administration' })).toBeInTheDocument();
    const people = screen.getByRole('region', { name: 'People and access' });
    expect(within(people).getByRole('link', { name: 'Users and roles' })).toHaveAttribute('href', '/admin/users');
    expect(within(people).getByRole('link', { name: 'Audit log' })).toHaveAttribute('href', '/admin/audit');
    const practice = screen.getByRole('region', { name: 'The practice' });
    expect(within(practice).getByRole('link', { name: 'Clinic settings' })).toHaveAttribute('href', '/admin/clinic');
    expect(within(practice).getByRole('link', { name: 'Providers, chairs and appointment types' })).toHaveAttribute('href', '/admin/catalog');
    const integrations = screen.getByRole('region', { name: 'Messages and integrations' });
    expect(within(integrations).getByRole('link', { name: 'Webhooks' })).toHaveAttribute('href', '/admin/webhooks');
    expect(within(integrations).getByRole('link', { name: 'Messaging settings' })).toHaveAttribute('href', '/settings/messaging');
  });
});
