import { useId, useRef, useState, type FormEvent } from 'react';
import {
  deliveryStatusLabel,
  eventLabel,
  useCreateWebhookEndpoint,
  useDeleteWebhookEndpoint,
  useResendDelivery,
  useWebhookDeliveries,
  useWebhookEndpoints,
  WEBHOOK_EVENTS,
  type CreatedWebhookEndpoint,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEvent,
} from '../../api/webhooks';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { useClinicTimeZone } from '../../lib/session';
import { formatDateTime } from '../../lib/time';
import { toastError, toastSuccess } from '../../lib/toast';
import '../../components/reportTable.css';
import './integrations.css';

/** `/admin/webhooks` (admins): the endpoints that hear of the practice's events, their deliveries, resend. */
export default function WebhooksPage() {
  const endpoints = useWebhookEndpoints();
  const [created, setCreated] = useState<CreatedWebhookEndpoint | null>(null);

  return (
    <main id="main" className="page webhooks">
      <div className="page__header">
        <h1>Webhooks</h1>
        <p className="lead">
          Tell another system (a practice-management or marketing tool) when appointments, patients or payments change.
          Each delivery carries ids and the names of changed fields, never health details, and is signed with the endpoint’s
          secret.
        </p>
      </div>

      <AddEndpointForm onCreated={setCreated} />

      <section aria-labelledby="webhooks-list" className="webhooks__list">
        <h2 id="webhooks-list">Endpoints</h2>
        {endpoints.isError ? (
          <ErrorNotice error={endpoints.error} title="Could not load the endpoints" onRetry={() => void endpoints.refetch()} />
        ) : endpoints.isPending ? (
          <Skeleton lines={4} label="Loading the endpoints…" />
        ) : endpoints.data.length === 0 ? (
          <p className="notice notice--info">No endpoints yet. Add one above.</p>
        ) : (
          <ul className="webhooks__endpoints">
            {endpoints.data.map((e) => (
              <li key={e.id}>
                <EndpointCard endpoint={e} />
              </li>
            ))}
          </ul>
        )}
      </section>

      <SecretDialog created={created} onClose={() => setCreated(null)} />
    </main>
  );
}

function AddEndpointForm({ onCreated }: { onCreated: (e: CreatedWebhookEndpoint) => void }) {
  const id = useId();
  const create = useCreateWebhookEndpoint();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>([]);
  const [description, setDescription] = useState('');
  const [local, setLocal] = useState<{ url?: string; events?: string }>({});

  const err = create.error;
  const fieldError = (f: 'url' | 'events' | 'description') =>
    (f !== 'description' ? local[f] : undefined) ?? (isApiError(err) ? err.fieldMessage(f) : undefined);
  const otherError = err && !(isApiError(err) && err.fields.length > 0) ? err : null;

  function toggle(e: WebhookEvent, on: boolean) {
    setEvents((list) => (on ? [...list, e] : list.filter((x) => x !== e)));
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    const problems: { url?: string; events?: string } = {};
    if (!url.trim()) problems.url = 'Enter the URL that should receive the events.';
    if (events.length === 0) problems.events = 'Choose at least one event.';
    setLocal(problems);
    if (problems.url || problems.events) {
      create.reset();
      return;
    }
    try {
      const made = await create.mutateAsync({ url: url.trim(), events: WEBHOOK_EVENTS.map((x) => x.value).filter((x) => events.includes(x)), description: description.trim() });
      setUrl('');
      setEvents([]);
      setDescription('');
      onCreated(made);
    } catch {
      // Shown at the fields (400) or under the form.
    }
  }

  const eventsError = fieldError('events');
  return (
    <section aria-labelledby={`${id}-title`} className="form-card webhooks__add">
      <h2 id={`${id}-title`} className="section-title">
        Add an endpoint
      </h2>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field
          label="URL"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          hint="An https:// address on the public internet. Private and local network addresses are refused."
          error={fieldError('url')}
        />
        <fieldset className="fieldset webhooks__events" aria-describedby={eventsError ? `${id}-events-error` : undefined} aria-invalid={eventsError ? true : undefined}>
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map((e) => (
            <label key={e.value} className="checkbox">
              <input type="checkbox" checked={events.includes(e.value)} onChange={(x) => toggle(e.value, x.target.checked)} />
              <span>
                {e.label} <code className="muted">{e.value}</code>
              </span>
            </label>
          ))}
          {eventsError && (
            <p id={`${id}-events-error`} className="field__error">
              {eventsError}
            </p>
          )}
        </fieldset>
        <Field label="Description (optional)" value={description} maxLength={200} onChange={(e) => setDescription(e.target.value)} error={fieldError('description')} />
        {otherError !== null && <ErrorNotice error={otherError} title="Could not add the endpoint" />}
        <div className="button-row">
          <button type="submit" className="button-primary" disabled={create.isPending}>
            {create.isPending ? 'Adding…' : 'Add endpoint'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** The signing secret, shown this once. */
function SecretDialog({ created, onClose }: { created: CreatedWebhookEndpoint | null; onClose: () => void }) {
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied(true);
      toastSuccess('Signing secret copied.');
    } catch {
      toastError(null, 'Could not copy. Select the secret and copy it by hand.');
    }
  }

  function close() {
    setCopied(false);
    onClose();
  }

  return (
    <Dialog
      open={created !== null}
      onClose={close}
      title="Endpoint added: copy its signing secret"
      description={created ? `Deliveries to ${created.url} are signed with this secret (X-TopSmile-Signature).` : undefined}
      initialFocusRef={inputRef}
    >
      <p className="notice webhooks-secret-warning">
        <strong>This secret will not be shown again.</strong> Store it in the receiving system now; if it is lost, delete the
        endpoint and add it again.
      </p>
      <div className="webhooks__secret">
        <label htmlFor={`${id}-secret`}>Signing secret</label>
        <div className="webhooks__secret-row">
          <input
            id={`${id}-secret`}
            ref={inputRef}
            readOnly
            value={created?.secret ?? ''}
            spellCheck={false}
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" className="button-secondary" onClick={() => void copy()}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
      </div>
      <div className="button-row">
        <button type="button" className="button-primary" onClick={close}>
          I have stored it
        </button>
      </div>
    </Dialog>
  );
}

function EndpointCard({ endpoint }: { endpoint: WebhookEndpoint }) {
  const id = useId();
  const timeZone = useClinicTimeZone();
  const [confirming, setConfirming] = useState(false);

  return (
    <article className="webhooks__endpoint" aria-labelledby={`${id}-url`}>
      <div className="webhooks__endpoint-head">
        <div>
          <h3 id={`${id}-url`} className="break-anywhere">
            {endpoint.url}
          </h3>
          {endpoint.description && <p>{endpoint.description}</p>}
          <p className="muted">
            {endpoint.events.map(eventLabel).join(', ')} · added <time dateTime={endpoint.createdAt}>{formatDateTime(endpoint.createdAt, timeZone)}</time>
          </p>
        </div>
        <button type="button" className="button-danger-outline" onClick={() => setConfirming(true)} aria-label={`Delete ${endpoint.url}…`}>
          Delete…
        </button>
      </div>
      <Deliveries endpoint={endpoint} />
      <DeleteDialog endpoint={confirming ? endpoint : null} onClose={() => setConfirming(false)} />
    </article>
  );
}

function lastResponse(d: WebhookDelivery): string {
  const a = d.attempts[0];
  if (!a) return '—';
  if (a.statusCode) return String(a.statusCode);
  return a.error ? `No response (${a.error})` : '—';
}

function Deliveries({ endpoint }: { endpoint: WebhookEndpoint }) {
  const timeZone = useClinicTimeZone();
  const list = useWebhookDeliveries(endpoint.id);
  const resend = useResendDelivery(endpoint.id);
  const [resending, setResending] = useState<string | null>(null);

  async function again(d: WebhookDelivery) {
    setResending(d.id);
    try {
      await resend.mutateAsync(d.id);
      toastSuccess(`${eventLabel(d.type)} will be sent again.`);
    } catch (e) {
      toastError(e, 'Could not resend the delivery.');
    } finally {
      setResending(null);
    }
  }

  if (list.isError) return <ErrorNotice error={list.error} title="Could not load the deliveries" onRetry={() => void list.refetch()} />;
  if (list.isPending) return <Skeleton lines={2} label="Loading the deliveries…" />;
  if (list.data.items.length === 0) return <p className="muted">No deliveries yet.</p>;
  return (
    <div className="report-table-wrap webhooks__deliveries" tabIndex={0} role="region" aria-label={`Recent deliveries to ${endpoint.url}`}>
      <table className="report-table">
        <caption>Recent deliveries</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Response</th>
            <th scope="col" className="num">
              Attempts
            </th>
            <th scope="col">Time</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.data.items.map((d) => (
            <tr key={d.id}>
              <th scope="row">{eventLabel(d.type)}</th>
              <td>
                <span className={`hook-status hook-status--${d.status}`}>{deliveryStatusLabel(d.status)}</span>
              </td>
              <td className="break-anywhere">{lastResponse(d)}</td>
              <td className="num">{d.attemptCount}</td>
              <td>
                <time dateTime={d.attempts[0]?.at ?? d.createdAt}>{formatDateTime(d.attempts[0]?.at ?? d.createdAt, timeZone)}</time>
              </td>
              <td>
                {d.status === 'failed' && (
                  <button
                    type="button"
                    className="button-secondary webhooks__resend"
                    aria-label={`Resend ${eventLabel(d.type)} of ${formatDateTime(d.createdAt, timeZone)}`}
                    disabled={resending === d.id}
                    onClick={() => void again(d)}
                  >
                    {resending === d.id ? 'Resending…' : 'Resend'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DeleteDialog({ endpoint, onClose }: { endpoint: WebhookEndpoint | null; onClose: () => void }) {
  const remove = useDeleteWebhookEndpoint();
  const cancelRef = useRef<HTMLButtonElement>(null);

  function close() {
    remove.reset();
    onClose();
  }

  async function confirm() {
    if (!endpoint) return;
    try {
      await remove.mutateAsync(endpoint.id);
      toastSuccess(`${endpoint.url} deleted.`);
      onClose();
    } catch {
      // Shown in the dialog.
    }
  }

  return (
    <Dialog
      open={endpoint !== null}
      onClose={close}
      title="Delete this endpoint?"
      description={endpoint ? `${endpoint.url} will hear of no more events; deliveries still due to it fail.` : undefined}
      size="sm"
      initialFocusRef={cancelRef}
    >
      {remove.error && <ErrorNotice error={remove.error} title="Could not delete the endpoint" />}
      <div className="button-row">
        <button type="button" className="button-danger" onClick={() => void confirm()} disabled={remove.isPending}>
          {remove.isPending ? 'Deleting…' : 'Delete endpoint'}
        </button>
        <button ref={cancelRef} type="button" className="button-secondary" onClick={close}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
