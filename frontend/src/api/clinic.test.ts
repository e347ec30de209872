import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../lib/api';
import { useSessionStore } from '../lib/session';
import { me } from '../test/fixtures';
import { jsonResponse } from '../test/render';
import { clinicChanges, useSaveClinic, type AdminClinic } from './clinic';
import { messageKeys } from './messages';

describe('clinicChanges', () => {
  it('keeps only the fields that differ', () => {
    expect(clinicChanges({ name: 'A', slotMinutes: 15, mfaRequired: false }, { name: 'A', slotMinutes: 10, mfaRequired: true })).toEqual({
      slotMinutes: 10,
      mfaRequired: true,
    });
  });

  it('compares nested values whole, whatever their key order', () => {
    const address = { line1: '1 Main St', line2: '', city: 'Springfield', region: '', postalCode: '' };
    const reordered = { city: 'Springfield', postalCode: '', line2: '', region: '', line1: '1 Main St' };
    const week = { monday: [{ start: '08:00', end: '17:00' }], sunday: [] };
    const weekReordered = { sunday: [], monday: [{ end: '17:00', start: '08:00' }] };
    expect(clinicChanges({ address, openingHours: week }, { address: reordered, openingHours: weekReordered })).toEqual({});
    expect(clinicChanges({ address }, { address: { ...address, line2: 'Suite 2' } })).toEqual({ address: { ...address, line2: 'Suite 2' } });
    // A whole week is sent, not the one day changed: the server replaces it.
    const changed = { ...week, sunday: [{ start: '09:00', end: '12:00' }] };
    expect(clinicChanges({ openingHours: week }, { openingHours: changed })).toEqual({ openingHours: changed });
  });

  it('sends a field the clinic did not have yet', () => {
    expect(clinicChanges({}, { sessionHours: 12 })).toEqual({ sessionHours: 12 });
  });
});

describe('useSaveClinic', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('PATCHes the rules and the session’s clinic and cached clinic follow', async () => {
    resetApiClient();
    useSessionStore.getState().setSession(me('admin'));
    const saved = { id: 'clinic-1', name: 'Hillside Dental', settings: { timeZone: 'Europe/Paris', slotMinutes: 10, cancelNoticeHours: 24, idleLogoffMinutes: 15, sessionHours: 8 } } as AdminClinic;
    const fetchMock = vi.fn<typeof fetch>(async () => jsonResponse(saved));
    vi.stubGlobal('fetch', fetchMock);
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const wrapper = ({ children }: { children: ReactNode }) => createElement(QueryClientProvider, { client }, children);
    const { result } = renderHook(() => useSaveClinic(), { wrapper });

    await act(() => result.current.mutateAsync({ name: 'Hillside Dental', timeZone: 'Europe/Paris', sessionHours: 8 }));

    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/clinic');
    expect(init?.method).toBe('PATCH');
    expect(JSON.parse(String(init?.body))).toEqual({ name: 'Hillside Dental', timeZone: 'Europe/Paris', sessionHours: 8 });
    const session = useSessionStore.getState().clinic!;
    expect(session.name).toBe('Hillside Dental');
    expect(session.settings.timeZone).toBe('Europe/Paris');
    expect(session.settings.slotMinutes).toBe(10);
    expect(client.getQueryData(messageKeys.clinic)).toEqual(saved);
  });
});
