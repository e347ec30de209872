import { screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppRoutes } from './App';
import { jsonResponse, renderWithQuery } from './test/render';

describe('AppRoutes', () => {
  beforeEach(() => {
    vi.stubGlobal('fetch', vi.fn<typeof fetch>().mockResolvedValue(jsonResponse({ status: 'ok' })));
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it.each(['/', '/some/deep/link'])('renders the landing page at %s', async (path) => {
    renderWithQuery(
      <MemoryRouter initialEntries={[path]}>
        <AppRoutes />
      </MemoryRouter>,
    );

    const main = screen.getByRole('main');
    expect(within(main).getByRole('heading', { level: 1, name: 'TopSmile' })).toBeInTheDocument();
    expect(within(main).getByText(/dental care/i)).toBeInTheDocument();
    expect(within(main).getByRole('form', { name: 'Sign in' })).toBeInTheDocument();
    expect(await screen.findByText('System status: ok')).toBeInTheDocument();
  });
});
