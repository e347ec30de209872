import { useId, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import {
  channelLabel,
  classLabel,
  deliveryLabel,
  RETRYABLE,
  statusLabel,
  templateLabel,
  useNotifications,
  useRetryNotification,
  type Channel,
  type NotificationRecord,
  type NotificationStatus,
} from '../../api/messages';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { formatPhone } from '../../lib/phone';
import { formatDateTime } from '../../lib/time';
import { toastSuccess } from '../../lib/toast';
import { useClinicTimeZone } from '../../lib/session';
import './messages.css';

/** The status filter's tabs, in the order an admin looks for trouble. */
const STATUS_TABS: { value: NotificationStatus | ''; label: string }[] = [
  { value: '', label: 'All' },
  { value: 'failed', label: 'Failed' },
  { value: 'dead', label: 'Dead-letter' },
  { value: 'sent', label: 'Sent' },
  { value: 'pending', label: 'Pending' },
];

const STATUSES = new Set<string>(['pending', 'queued', 'sent', 'failed', 'dead']);

/** The dev outbox viewer's path, when the local stack serves one (never in a deployed stack). */
export function devOutboxPath(): string | null {
  if (typeof document === 'undefined') return null;
  const content = document.querySelector('meta[name="topsmile-dev-outbox"]')?.getAttribute('content') ?? '';
  // Only a path of this origin: the tag is ours, but a link must not leave the site.
  return content.startsWith('/') && !content.startsWith('//') ? content : null;
}

/** `/messages` (admins): every email and text the practice sent or tried to, with retry for the failed ones. */
export default function MessagesPage() {
  const id = useId();
  const [params, setParams] = useSearchParams();
  const rawStatus = params.get('status') ?? '';
  const status = (STATUSES.has(rawStatus) ? rawStatus : '') as NotificationStatus | '';
  const rawChannel = params.get('channel') ?? '';
  const channel = (rawChannel === 'email' || rawChannel === 'sms' ? rawChannel : '') as Channel | '';
  const list = useNotifications({ status, channel });
  const timeZone = useClinicTimeZone();
  const [retrying, setRetrying] = useState<NotificationRecord | null>(null);
  const devOutbox = devOutboxPath();

  function setFilter(key: 'status' | 'channel', value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  }

  const items = list.items;
  const shown = STATUS_TABS.find((t) => t.value === status)?.label ?? statusLabel(status);

  return (
    <main id="main" className="page messages">
      <div className="page__header page__header--row">
        <div>
          <h1>Messages</h1>
          <p className="lead">Every email and text the practice sends, newest first. Failed ones can be sent again.</p>
        </div>
        <div className="button-row">
          <Link className="button-secondary" to="/settings/messaging">
            Reminder settings
          </Link>
          {devOutbox && (
            <a className="button-secondary" href={devOutbox} target="_blank" rel="noopener">
              Dev outbox<span className="visually-hidden"> (opens in a new tab)</span>
            </a>
          )}
        </div>
      </div>

      <div className="messages__filters">
        <div role="group" aria-label="Status" className="segmented messages__tabs">
          {STATUS_TABS.map((t) => (
            <button
              key={t.value || 'all'}
              type="button"
              className="button-secondary"
              aria-pressed={status === t.value}
              onClick={() => setFilter('status', t.value)}
            >
              {t.label}
            </button>
          ))}
        </div>
        <div className="field field--inline">
          <label htmlFor={`${id}-channel`}>Channel</label>
          <select id={`${id}-channel`} value={channel} onChange={(e) => setFilter('channel', e.target.value)}>
            <option value="">Email and text</option>
            <option value="email">Email</option>
            <option value="sms">Text</option>
          </select>
        </div>
      </div>

      {list.isError && !list.data ? (
        <ErrorNotice error={list.error} title="Could not load the messages" onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Skeleton lines={6} label="Loading the messages…" />
      ) : items.length === 0 ? (
        <p className="notice notice--info">
          {status || channel ? `No ${status ? shown.toLowerCase() + ' ' : ''}messages${channel ? ` by ${channelLabel(channel).toLowerCase()}` : ''}.` : 'No messages yet.'}
        </p>
      ) : (
        <>
          <div className="messages-table-wrap" tabIndex={0} role="region" aria-label="Messages sent">
            <table className="messages-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Recipient</th>
                  <th scope="col">Message</th>
                  <th scope="col">Status</th>
                  <th scope="col">Reason</th>
                  <th scope="col" className="num">
                    Attempts
                  </th>
                  <th scope="col">Delivery</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((n) => (
                  <tr key={n.id}>
                    <td>
                      <time dateTime={n.createdAt}>{formatDateTime(n.createdAt, timeZone)}</time>
                    </td>
                    <td>{channelLabel(n.channel)}</td>
                    <td className="break-anywhere">
                      {n.patientId ? (
                        <Link to={`/patients/${encodeURIComponent(n.patientId)}`}>{recipient(n)}</Link>
                      ) : (
                        recipient(n)
                      )}
                    </td>
                    <td>{templateLabel(n.template)}</td>
                    <td>
                      <span className={`msg-status msg-status--${n.status}`}>{statusLabel(n.status)}</span>
                    </td>
                    <td>{classLabel(n.class)}</td>
                    <td className="num">{n.attempts}</td>
                    <td>{deliveryLabel(n.delivery)}</td>
                    <td>
                      {RETRYABLE.includes(n.status) && (
                        <button
                          type="button"
                          className="button-secondary button-small"
                          aria-label={`Retry: ${templateLabel(n.template)} to ${recipient(n)}`}
                          onClick={() => setRetrying(n)}
                        >
                          Retry
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="button-row messages__more">
            <p className="muted" role="status">
              Showing {items.length} {items.length === 1 ? 'message' : 'messages'}
              {list.hasNextPage ? '; there are more.' : '.'}
            </p>
            {list.hasNextPage && (
              <button
                type="button"
                className="button-secondary"
                onClick={() => void list.fetchNextPage()}
                disabled={list.isFetchingNextPage}
              >
                {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            )}
          </div>
          {list.isFetchNextPageError && (
            <ErrorNotice error={list.failureReason} title="Could not load more messages" onRetry={() => void list.fetchNextPage()} />
          )}
        </>
      )}

      <RetryDialog record={retrying} onClose={() => setRetrying(null)} />
    </main>
  );
}

function recipient(n: NotificationRecord): string {
  return n.channel === 'sms' ? formatPhone(n.to) : n.to;
}

function RetryDialog({ record, onClose }: { record: NotificationRecord | null; onClose: () => void }) {
  const retry = useRetryNotification();
  const [error, setError] = useState<string | null>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  function close() {
    setError(null);
    retry.reset();
    onClose();
  }

  async function send() {
    if (!record) return;
    setError(null);
    try {
      await retry.mutateAsync(record.id);
      toastSuccess(`${templateLabel(record.template)} to ${recipient(record)} is queued again.`);
      close();
    } catch (err) {
      // 409: it is not failed or dead any more (someone retried it first): the server says so.
      setError(isApiError(err) ? `${err.message}${err.requestId ? ` (Reference: ${err.requestId})` : ''}` : 'Please try again.');
    }
  }

  return (
    <Dialog
      open={record !== null}
      onClose={close}
      title="Send this message again?"
      description={
        record
          ? `${templateLabel(record.template)} by ${channelLabel(record.channel).toLowerCase()} to ${recipient(record)}. ` +
            'It goes back on the queue; opt-outs and quiet hours still apply.'
          : undefined
      }
      size="sm"
      initialFocusRef={cancelRef}
    >
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button type="button" className="button-primary" onClick={() => void send()} disabled={retry.isPending}>
          {retry.isPending ? 'Sending…' : 'Send again'}
        </button>
        <button ref={cancelRef} type="button" className="button-secondary" onClick={close}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
