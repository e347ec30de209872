import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import { routeFetch } from '../../test/fixtures';
import { jsonResponse } from '../../test/render';
import SignUpPage from './SignUpPage';
import { useSessionStore } from '../../lib/session';

const RIVERSIDE = { slug: 'riverside-family-dental', name: 'Riverside Family Dental' };

/** The public practice lookups: ?slug= answers the link's practice, ?q= searches names. */
function clinics(url: URL) {
  const slug = url.searchParams.get('slug');
  if (slug !== null) return jsonResponse({ items: slug === RIVERSIDE.slug ? [RIVERSIDE] : [] });
  const q = (url.searchParams.get('q') ?? '').toLowerCase();
  const all = [RIVERSIDE, { slug: 'lakeside-dental', name: 'Lakeside Dental' }];
  return jsonResponse({ items: all.filter((c) => c.name.toLowerCase().split(' ').some((w) => w.startsWith(q))) });
}

function renderPage(entry = `/sign-up?clinic=${RIVERSIDE.slug}`) {
  return render(
    <MemoryRouter initialEntries={[entry]}>
      <Routes>
        <Route path="/sign-up" element={<SignUpPage />} />
        <Route path="/portal" element={<h1>Portal</h1>} />
      </Routes>
    </MemoryRouter>,
  );
}

async function fillAndSend(email = 'pat@example.test') {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('First name'), 'Pat');
  await user.type(screen.getByLabelText('Last name'), 'Lee');
  await user.type(screen.getByLabelText('Date of birth'), '1990-04-01');
  await user.type(screen.getByLabelText('Mobile phone'), '(212) 555-0100');
  await user.type(screen.getByLabelText('Email'), email);
  await user.type(screen.getByLabelText('Password'), 'a-good-passphrase');
  await user.click(screen.getByRole('button', { name: 'Create account' }));
  return user;
}

describe('SignUpPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let bodies: Record<string, string>[] = [];

  beforeEach(() => {
    resetApiClient();
    bodies = [];
    fetchMock.mockReset();
    vi.stubGlobal('fetch', fetchMock);
    useSessionStore.getState().clear();
  });

  afterEach(() => vi.unstubAllGlobals());

  it('says "check your email" after the 202 and signs nobody in', async () => {
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/clinics': clinics,
        'POST /api/auth/register': (_url: URL, init: RequestInit | undefined) => {
          bodies.push(JSON.parse(String(init?.body)) as Record<string, string>);
          return jsonResponse({}, 202);
        },
      }),
    );
    renderPage();
    // The link's practice is shown by name, not asked for.
    expect(await screen.findByText('Riverside Family Dental')).toBeInTheDocument();
    expect(screen.queryByRole('combobox')).not.toBeInTheDocument();
    await fillAndSend(' pat@example.test ');

    const heading = await screen.findByRole('heading', { name: 'Check your email' });
    expect(heading).toHaveFocus();
    expect(screen.getByText('pat@example.test')).toBeInTheDocument();
    expect(bodies).toEqual([
      {
        clinicSlug: 'riverside-family-dental',
        email: 'pat@example.test',
        password: 'a-good-passphrase',
        firstName: 'Pat',
        lastName: 'Lee',
        dateOfBirth: '1990-04-01',
        phone: '(212) 555-0100',
      },
    ]);
    // No session is looked up or started: the account works once the link is opened.
    expect(fetchMock.mock.calls.map(([u]) => String(u))).toEqual([
      '/api/clinics?slug=riverside-family-dental',
      '/api/auth/register',
    ]);
    expect(screen.queryByRole('heading', { name: 'Portal' })).not.toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Patient sign-up' })).not.toBeInTheDocument();
  });

  it('keeps the form and shows the field errors of a 400', async () => {
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/clinics': clinics,
        'POST /api/auth/register': () =>
          jsonResponse(
            {
              error: {
                code: 'invalid',
                message: 'validation failed',
                requestId: 'r-400',
                fields: [{ field: 'password', message: 'is too common; choose another' }],
              },
            },
            400,
          ),
      }),
    );
    renderPage();
    await fillAndSend();

    expect(await screen.findByText('Password is too common; choose another')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('Please check the highlighted details.');
    expect(screen.queryByRole('heading', { name: 'Check your email' })).not.toBeInTheDocument();
  });

  it('without a link, finds the practice by name and sends its slug', async () => {
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/clinics': clinics,
        'POST /api/auth/register': (_url: URL, init: RequestInit | undefined) => {
          bodies.push(JSON.parse(String(init?.body)) as Record<string, string>);
          return jsonResponse({}, 202);
        },
      }),
    );
    renderPage('/sign-up');
    const user = userEvent.setup();
    const practice = screen.getByRole('combobox', { name: 'Your dental practice' });
    await user.type(practice, 'river');
    await screen.findByRole('option', { name: 'Riverside Family Dental' });
    expect(screen.queryByRole('option', { name: 'Lakeside Dental' })).not.toBeInTheDocument();
    await user.keyboard('{ArrowDown}{Enter}');
    expect(screen.queryByRole('option')).not.toBeInTheDocument();
    expect(practice).toHaveValue('Riverside Family Dental');
    expect(screen.getByText('You are signing up with Riverside Family Dental.')).toBeInTheDocument();
    await fillAndSend();
    await screen.findByRole('heading', { name: 'Check your email' });
    expect(bodies[0]).toMatchObject({ clinicSlug: 'riverside-family-dental' });
    expect(bodies[0]).not.toHaveProperty('clinicId');
  });

  it('says to choose the practice from the list when none was chosen, and sends nothing', async () => {
    fetchMock.mockImplementation(routeFetch({ 'GET /api/clinics': clinics }));
    renderPage('/sign-up');
    const user = userEvent.setup();
    await user.type(screen.getByRole('combobox', { name: 'Your dental practice' }), 'Riverside Family Dental');
    await fillAndSend();
    expect(await screen.findByText('Choose your practice from the list.')).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Your dental practice' })).toHaveAccessibleDescription(
      /Choose your practice from the list\./,
    );
    expect(screen.queryByText(/Practice code/)).not.toBeInTheDocument();
    expect(fetchMock.mock.calls.map(([u]) => String(u))).not.toContain('/api/auth/register');
  });

  it('offers the search when the link names no practice', async () => {
    fetchMock.mockImplementation(routeFetch({ 'GET /api/clinics': clinics }));
    renderPage('/sign-up?clinic=gone-dental');
    expect(await screen.findByText(/That sign-up link names no practice we know/)).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Your dental practice' })).toBeInTheDocument();
  });

  it('still takes an old link with the clinic id', async () => {
    fetchMock.mockImplementation(
      routeFetch({
        'POST /api/auth/register': (_url: URL, init: RequestInit | undefined) => {
          bodies.push(JSON.parse(String(init?.body)) as Record<string, string>);
          return jsonResponse({}, 202);
        },
      }),
    );
    renderPage('/sign-up?clinic=6b0fcee35d6b9a5569e1172c');
    await fillAndSend();
    await screen.findByRole('heading', { name: 'Check your email' });
    expect(bodies[0]).toMatchObject({ clinicId: '6b0fcee35d6b9a5569e1172c' });
  });
});
