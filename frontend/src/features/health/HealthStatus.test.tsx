import { screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { HealthStatus } from '../../components/HealthStatus';

describe('HealthStatus', () => {
  const fetchMock = vi.fn<typeof fetch>();

  beforeEach(() => {
    fetchMock.mockReset();
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('shows "ok" when /api/health reports status ok', async () => {
    fetchMock.mockResolvedValue(jsonResponse({ status: 'ok' }));
    renderWithQuery(<HealthStatus />);

    expect(screen.getByRole('status')).toHaveTextContent('System status: checking…');
    expect(await screen.findByText('System status: ok')).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledWith('/api/health', expect.objectContaining({ credentials: 'same-origin' }));
  });

  it('shows "degraded" when the API reports unavailable with a 503', async () => {
    fetchMock.mockResolvedValue(jsonResponse({ status: 'unavailable' }, 503));
    renderWithQuery(<HealthStatus />);

    expect(await screen.findByText('System status: degraded')).toBeInTheDocument();
  });

  it('shows "degraded" when the API cannot be reached', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    renderWithQuery(<HealthStatus />);

    expect(await screen.findByText('System status: degraded')).toBeInTheDocument();
  });

  it('shows "degraded" when the response is not the health JSON', async () => {
    fetchMock.mockResolvedValue(new Response('<html>bad gateway</html>', { status: 502 }));
    renderWithQuery(<HealthStatus />);

    expect(await screen.findByText('System status: degraded')).toBeInTheDocument();
  });
});
