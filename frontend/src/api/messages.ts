import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { api, type ListResponse } from '../lib/api';
import type { Clinic, ClinicSettings, CommunicationInput, CommunicationPrefs } from '../lib/types';

// ---------- shapes (issue 13: the outbox, the inbox, preferences, reminder rules) ----------

export type NotificationStatus = 'pending' | 'queued' | 'sent' | 'failed' | 'dead';
export type Channel = 'email' | 'sms';

/** One message of the outbox, as `GET /api/notifications` lists it (no body: it may hold health details). */
export interface NotificationRecord {
  id: string;
  channel: Channel;
  to: string;
  template: string;
  status: NotificationStatus;
  /** Why a failed message failed (a permanent reason, never retried by itself). */
  class?: string;
  attempts: number;
  /** Twilio's last delivery status of a text. */
  delivery?: string;
  patientId?: string;
  createdAt: string;
  updatedAt: string;
  nextAt: string;
}

export interface NotificationFilter {
  status?: NotificationStatus | '';
  channel?: Channel | '';
}

/** A text a patient sent the clinic that was not a confirmation or STOP/START. */
export interface InboxItem {
  id: string;
  from: string;
  body: string;
  patientId?: string;
  patientName?: string;
  receivedAt: string;
  handled: boolean;
  handledAt?: string;
  handledBy?: string;
}

export type PreferredContact = 'email' | 'sms' | 'none';
export type { CommunicationInput, CommunicationPrefs };

export interface QuietHours {
  start: string;
  end: string;
}

export interface ReminderRules {
  confirmHours: number;
  firstHours: number;
  secondHours: number;
  recall: boolean;
  consents: boolean;
}

/** The messaging part of the clinic's settings. */
export interface MessagingSettings {
  smsNumber: string;
  quietHours: QuietHours;
  reminders: ReminderRules;
}

export type ClinicWithMessaging = Clinic & { settings: ClinicSettings & Partial<MessagingSettings> };

// ---------- words ----------

export const TEMPLATE_LABELS: Record<string, string> = {
  'password-reset': 'Password reset',
  'verify-email': 'Email verification',
  'account-exists': 'Account already exists',
  'waitlist-offer': 'Waitlist offer',
  'appointment-booked': 'Appointment booked',
  'appointment-moved': 'Appointment moved',
  'appointment-cancelled': 'Appointment cancelled',
  'appointment-confirm-request': 'Confirmation request',
  'appointment-reminder': 'Appointment reminder',
  'recall-due': 'Recall due',
  'consent-unsigned': 'Consent form to sign',
};

/** A template's name in words; an unknown one reads as its id with spaces. */
export function templateLabel(template: string): string {
  const known = TEMPLATE_LABELS[template];
  if (known) return known;
  const words = template.replace(/[-_]+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : 'Message';
}

export const CLASS_LABELS: Record<string, string> = {
  suppressed: 'Opted out',
  capped: 'Daily text limit reached',
  'unknown-template': 'No such message template',
  'bad-data': 'Details missing from the message',
  'bad-recipient': 'Invalid number or address',
  'hard-bounce': 'Email address refused',
  'provider-opt-out': 'Unsubscribed at the carrier',
};

export function classLabel(cls: string | undefined): string {
  if (!cls) return '';
  return CLASS_LABELS[cls] ?? cls.replace(/[-_]+/g, ' ');
}

export const STATUS_LABELS: Record<NotificationStatus, string> = {
  pending: 'Pending',
  queued: 'Queued',
  sent: 'Sent',
  failed: 'Failed',
  dead: 'Dead-letter',
};

export const statusLabel = (s: string) => STATUS_LABELS[s as NotificationStatus] ?? s;

export const CHANNEL_LABELS: Record<Channel, string> = { email: 'Email', sms: 'Text' };
export const channelLabel = (c: string) => CHANNEL_LABELS[c as Channel] ?? c;

/** Retry is offered (and allowed by the server) only on these. */
export const RETRYABLE: readonly NotificationStatus[] = ['failed', 'dead'];

export const DELIVERY_LABELS: Record<string, string> = {
  accepted: 'Accepted',
  queued: 'Queued at carrier',
  sending: 'Sending',
  sent: 'Sent to carrier',
  delivered: 'Delivered',
  read: 'Read',
  undelivered: 'Not delivered',
  failed: 'Carrier failed',
};
export const deliveryLabel = (d: string | undefined) => (d ? (DELIVERY_LABELS[d] ?? d) : '');

/** Who may read the front desk's inbox (the server checks the same). */
export const INBOX_ROLES = ['admin', 'receptionist', 'dentist', 'hygienist', 'assistant'] as const;

// ---------- keys ----------

export const messageKeys = {
  notifications: ['notifications'] as const,
  notificationList: (f: NotificationFilter) => ['notifications', 'list', f.status ?? '', f.channel ?? ''] as const,
  inbox: ['inbox'] as const,
  inboxList: (handled: boolean) => ['inbox', 'list', handled] as const,
  inboxUnread: ['inbox', 'unread'] as const,
  communication: (patientId: string) => ['patients', 'communication', patientId] as const,
  clinic: ['clinic'] as const,
};

export const PAGE_SIZE = 50;

function allItems<T>(data: InfiniteData<ListResponse<T>> | undefined): T[] {
  return data?.pages.flatMap((p) => p.items ?? []) ?? [];
}

// ---------- outbox (admin) ----------

/** The outbox newest first, a page at a time ("Load more" fetches the next cursor). */
export function useNotifications(filter: NotificationFilter) {
  const query = useInfiniteQuery({
    queryKey: messageKeys.notificationList(filter),
    queryFn: ({ signal, pageParam }) =>
      api.get<ListResponse<NotificationRecord>>('/api/notifications', {
        signal,
        query: { status: filter.status, channel: filter.channel, cursor: pageParam, limit: PAGE_SIZE },
      }),
    initialPageParam: '' as string,
    getNextPageParam: (last) => last.nextCursor || undefined,
    staleTime: 10_000,
  });
  return { ...query, items: allItems(query.data) };
}

export function useRetryNotification() {
  const qc = useQueryClient();
  return useMutation({
    meta: { inlineErrors: true },
    mutationFn: (id: string) => api.post<NotificationRecord>(`/api/notifications/${encodeURIComponent(id)}/retry`, {}),
    onSettled: () => qc.invalidateQueries({ queryKey: messageKeys.notifications }),
  });
}

// ---------- inbox (front desk) ----------

export function useInbox(handled: boolean) {
  const query = useInfiniteQuery({
    queryKey: messageKeys.inboxList(handled),
    queryFn: ({ signal, pageParam }) =>
      api.get<ListResponse<InboxItem>>('/api/inbox', {
        signal,
        query: { handled, cursor: pageParam, limit: PAGE_SIZE },
      }),
    initialPageParam: '' as string,
    getNextPageParam: (last) => last.nextCursor || undefined,
    refetchInterval: 30_000,
  });
  return { ...query, items: allItems(query.data) };
}

export const UNREAD_LIMIT = 100;

/** How many replies wait to be handled (capped: `more` says there are more than `count`). */
export function useInboxUnread(enabled = true) {
  return useQuery({
    queryKey: messageKeys.inboxUnread,
    queryFn: ({ signal }) =>
      api.get<ListResponse<InboxItem>>('/api/inbox', {
        signal,
        query: { handled: false, limit: UNREAD_LIMIT },
        // A badge must never sign anyone out or nag: it is quiet on failure.
        retry: false,
      }),
    select: (r) => ({ count: r.items?.length ?? 0, more: Boolean(r.nextCursor) }),
    enabled,
    refetchInterval: 60_000,
    retry: false,
  });
}

export function useHandleInbox() {
  const qc = useQueryClient();
  return useMutation({
    meta: { inlineErrors: true },
    mutationFn: (id: string) => api.post<InboxItem>(`/api/inbox/${encodeURIComponent(id)}/handle`, {}),
    onSettled: () => qc.invalidateQueries({ queryKey: messageKeys.inbox }),
  });
}

// ---------- a patient's communication preferences ----------

export function useCommunication(patientId: string | undefined) {
  return useQuery({
    queryKey: messageKeys.communication(patientId ?? ''),
    queryFn: ({ signal }) =>
      api.get<CommunicationPrefs>(`/api/patients/${encodeURIComponent(patientId!)}/communication`, { signal }),
    enabled: !!patientId,
    retry: false,
  });
}

export function useSaveCommunication(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    meta: { inlineErrors: true },
    mutationFn: (body: CommunicationInput) =>
      api.put<CommunicationPrefs>(`/api/patients/${encodeURIComponent(patientId)}/communication`, body),
    onSuccess: (saved) => {
      qc.setQueryData(messageKeys.communication(patientId), saved);
      // The record shows the preferred contact too.
      void qc.invalidateQueries({ queryKey: ['patients', 'record', patientId] });
    },
  });
}

// ---------- the clinic's messaging settings (admin) ----------

export function useClinicSettings() {
  return useQuery({
    queryKey: messageKeys.clinic,
    queryFn: ({ signal }) => api.get<ClinicWithMessaging>('/api/clinic', { signal }),
    retry: false,
  });
}

/** PATCH /api/clinic takes the settings flat: `{"smsNumber","quietHours","reminders"}`. */
export function useSaveMessagingSettings() {
  const qc = useQueryClient();
  return useMutation({
    meta: { inlineErrors: true },
    mutationFn: (body: MessagingSettings) => api.patch<ClinicWithMessaging>('/api/clinic', body),
    onSuccess: (saved) => qc.setQueryData(messageKeys.clinic, saved),
  });
}
