import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import { routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import ResetPasswordPage from './ResetPasswordPage';

function renderAt(path: string) {
  return renderWithQuery(
    <MemoryRouter initialEntries={[path]}>
      <ResetPasswordPage />
    </MemoryRouter>,
  );
}

describe('ResetPasswordPage', () => {
  let posted: unknown[];
  beforeEach(() => {
    resetApiClient();
    posted = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'POST /api/auth/password/reset': (_: URL, init: RequestInit | undefined) => {
            const body = JSON.parse(String(init?.body)) as { token: string };
            posted.push(body);
            if (body.token === 'spent')
              return jsonResponse({ error: { code: 'invalid', message: 'invalid', requestId: 'r', fields: [{ field: 'token', message: 'is expired or used' }] } }, 400);
            return new Response(null, { status: 204 });
          },
        }),
      ),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  async function choose(password: string) {
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('New password'), password);
    await user.type(screen.getByLabelText('Repeat new password'), password);
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
  }

  it('speaks to a colleague an admin invited, and sets their password with the token', async () => {
    renderAt('/reset-password?invite=1&token=tok-1');
    expect(screen.getByRole('heading', { level: 1, name: 'Choose your password' })).toBeInTheDocument();
    await choose('a long enough sentence');
    expect(await screen.findByRole('heading', { name: 'Your password is set' })).toBeInTheDocument();
    expect(screen.queryByText(/every device signed in/)).not.toBeInTheDocument();
    expect(posted).toEqual([{ token: 'tok-1', password: 'a long enough sentence' }]);
  });

  it('keeps the reset wording for a reset link, and says when a link is spent', async () => {
    renderAt('/reset-password?token=spent');
    expect(screen.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeInTheDocument();
    await choose('a long enough sentence');
    expect(await screen.findByText('This link does not work any more')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Ask for a new link' })).toHaveAttribute('href', '/forgot-password');
  });
});
