import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type ListResponse } from '../lib/api';

// ---------- shapes (issue 14 item 5: webhooks out) ----------

export type WebhookEvent = 'appointment.created' | 'appointment.updated' | 'appointment.cancelled' | 'patient.updated' | 'payment.succeeded';

export const WEBHOOK_EVENTS: { value: WebhookEvent; label: string }[] = [
  { value: 'appointment.created', label: 'Appointment booked' },
  { value: 'appointment.updated', label: 'Appointment changed' },
  { value: 'appointment.cancelled', label: 'Appointment cancelled' },
  { value: 'patient.updated', label: 'Patient details changed' },
  { value: 'payment.succeeded', label: 'Payment received' },
];

export const eventLabel = (e: string) => WEBHOOK_EVENTS.find((x) => x.value === e)?.label ?? e;

/** A registered receiver of the clinic's events (never with its secret). */
export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  description?: string;
  createdAt: string;
}

/** The registration's answer: the only time the signing secret is shown. */
export interface CreatedWebhookEndpoint extends WebhookEndpoint {
  secret: string;
}

export interface NewWebhookEndpoint {
  url: string;
  events: WebhookEvent[];
  description: string;
}

export type DeliveryStatus = 'pending' | 'sending' | 'succeeded' | 'failed';

export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, string> = {
  pending: 'Pending',
  sending: 'Sending',
  succeeded: 'Delivered',
  failed: 'Failed',
};

export const deliveryStatusLabel = (s: string) => DELIVERY_STATUS_LABELS[s as DeliveryStatus] ?? s;

export interface DeliveryAttempt {
  at: string;
  statusCode?: number;
  error?: string;
  durationMs: number;
}

/** One event bound for one endpoint; attempts newest first. */
export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  type: string;
  status: DeliveryStatus;
  attemptCount: number;
  attempts: DeliveryAttempt[];
  nextAt: string;
  giveUpAt: string;
  createdAt: string;
  updatedAt: string;
}

// ---------- requests ----------

const ENDPOINTS = '/api/webhook-endpoints';
const endpointPath = (id: string) => `${ENDPOINTS}/${encodeURIComponent(id)}`;

export const webhookKeys = {
  endpoints: ['webhook-endpoints'] as const,
  deliveries: (endpointId: string) => ['webhook-endpoints', endpointId, 'deliveries'] as const,
};

/** The clinic's endpoints (the first 100: a practice has a handful). */
export function useWebhookEndpoints() {
  return useQuery({
    queryKey: webhookKeys.endpoints,
    queryFn: ({ signal }) => api.get<ListResponse<WebhookEndpoint>>(ENDPOINTS, { query: { limit: 100 }, signal }).then((r) => r.items),
  });
}

export function useCreateWebhookEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewWebhookEndpoint) => api.post<CreatedWebhookEndpoint>(ENDPOINTS, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.endpoints }),
  });
}

export function useDeleteWebhookEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<void>(endpointPath(id)),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.endpoints }),
  });
}

/** An endpoint's most recent deliveries (the first page, newest first). */
export function useWebhookDeliveries(endpointId: string, enabled = true) {
  return useQuery({
    queryKey: webhookKeys.deliveries(endpointId),
    queryFn: ({ signal }) =>
      api.get<ListResponse<WebhookDelivery>>(`${endpointPath(endpointId)}/deliveries`, { query: { limit: 20 }, signal }),
    enabled,
  });
}

export function useResendDelivery(endpointId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) =>
      api.post<WebhookDelivery>(`${endpointPath(endpointId)}/deliveries/${encodeURIComponent(deliveryId)}/resend`),
    onSettled: () => qc.invalidateQueries({ queryKey: webhookKeys.deliveries(endpointId) }),
  });
}
