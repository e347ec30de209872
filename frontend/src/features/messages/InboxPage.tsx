import { useId, useState } from 'react';
import { Link } from 'react-router-dom';
import { useHandleInbox, useInbox, type InboxItem } from '../../api/messages';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { formatPhone } from '../../lib/phone';
import { formatDateTime } from '../../lib/time';
import { toastSuccess } from '../../lib/toast';
import { useClinicTimeZone } from '../../lib/session';
import './messages.css';

/** `/inbox`: texts from patients that were not a confirmation or STOP/START, newest first. */
export default function InboxPage() {
  const id = useId();
  const [showHandled, setShowHandled] = useState(false);
  const list = useInbox(showHandled);
  const timeZone = useClinicTimeZone();
  const items = list.items;

  return (
    <main id="main" className="page page--narrow inbox">
      <h1>Inbox</h1>
      <p className="lead">Replies patients texted to the practice that need a person: answer them by phone or text, then mark them handled.</p>

      <label className="checkbox">
        <input type="checkbox" checked={showHandled} onChange={(e) => setShowHandled(e.target.checked)} />
        Show handled
      </label>

      {list.isError && !list.data ? (
        <ErrorNotice error={list.error} title="Could not load the inbox" onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Skeleton lines={5} label="Loading the inbox…" />
      ) : items.length === 0 ? (
        <p className="notice notice--info">{showHandled ? 'No handled replies yet.' : 'Nothing waiting. Every reply is handled.'}</p>
      ) : (
        <>
          <h2 id={`${id}-h`} className="visually-hidden">
            {showHandled ? 'Handled replies' : 'Replies to handle'}
          </h2>
          <ul className="inbox-list" aria-labelledby={`${id}-h`}>
            {items.map((item) => (
              <InboxRow key={item.id} item={item} timeZone={timeZone} />
            ))}
          </ul>
          {list.hasNextPage && (
            <p>
              <button
                type="button"
                className="button-secondary"
                onClick={() => void list.fetchNextPage()}
                disabled={list.isFetchingNextPage}
              >
                {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            </p>
          )}
        </>
      )}
    </main>
  );
}

function InboxRow({ item, timeZone }: { item: InboxItem; timeZone: string }) {
  const id = useId();
  const handle = useHandleInbox();
  const [error, setError] = useState<string | null>(null);
  const who = item.patientName || 'Unknown sender';

  async function markHandled() {
    setError(null);
    try {
      await handle.mutateAsync(item.id);
      toastSuccess(`Reply from ${who} marked handled.`);
    } catch (err) {
      setError(isApiError(err) ? err.message : 'Please try again.');
    }
  }

  return (
    <li className={`inbox-item card${item.handled ? ' inbox-item--handled' : ''}`} aria-labelledby={`${id}-who`}>
      <div className="inbox-item__head">
        <h3 id={`${id}-who`} className="inbox-item__who">
          {item.patientId ? <Link to={`/patients/${encodeURIComponent(item.patientId)}`}>{who}</Link> : who}
        </h3>
        <span className="muted">{formatPhone(item.from)}</span>
        <time className="muted inbox-item__at" dateTime={item.receivedAt}>
          {formatDateTime(item.receivedAt, timeZone)}
        </time>
      </div>
      <p className="inbox-item__body">{item.body}</p>
      <div className="button-row">
        {item.handled ? (
          <p className="muted small">Handled{item.handledAt ? ` ${formatDateTime(item.handledAt, timeZone)}` : ''}.</p>
        ) : (
          <button
            type="button"
            className="button-secondary button-small"
            aria-label={`Mark handled: reply from ${who}`}
            onClick={() => void markHandled()}
            disabled={handle.isPending}
          >
            {handle.isPending ? 'Marking…' : 'Mark handled'}
          </button>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </li>
  );
}
