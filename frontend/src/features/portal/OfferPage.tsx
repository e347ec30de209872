import { useEffect, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { dateInZone, formatLongDate, formatTimeRange } from '../../lib/time';
import { useClinicTimeZone } from '../../lib/session';
import { useProviders } from '../../api/schedule';
import { Countdown } from '../../components/Countdown';
import { useAnswerOffer, useWaitlist, type OfferAnswer } from '../../api/waitlist';

type Outcome =
  | { kind: 'booked'; when: string }
  | { kind: 'declined' }
  | { kind: 'gone'; message: string; requestId?: string };

function parseAnswer(value: string | null): OfferAnswer | null {
  return value === 'accept' || value === 'decline' ? value : null;
}

/** A waitlist offer, as the link in the patient's SMS or e-mail opens it. */
export default function OfferPage() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const preselected = parseAnswer(params.get('answer'));
  const timeZone = useClinicTimeZone();
  const waitlist = useWaitlist();
  const providers = useProviders();
  const answer = useAnswerOffer();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<{ message: string; requestId: string } | null>(null);
  const acceptRef = useRef<HTMLButtonElement>(null);
  const declineRef = useRef<HTMLButtonElement>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);

  const entry = waitlist.data?.find((e) => e.id === id);
  const offer = entry?.status === 'offered' ? entry.offer : null;

  useEffect(() => {
    // The link already said what they want: put them on that button, still one click away.
    if (!offer || outcome) return;
    if (preselected === 'accept') acceptRef.current?.focus();
    if (preselected === 'decline') declineRef.current?.focus();
  }, [offer, outcome, preselected]);

  useEffect(() => {
    if (outcome) outcomeRef.current?.focus();
  }, [outcome]);

  const providerName = (pid: string) => providers.data?.find((p) => p.id === pid)?.name ?? 'your dental team';
  const describe = (o: { start: string; end: string; providerId: string }) =>
    `${formatLongDate(dateInZone(o.start, timeZone))}, ${formatTimeRange(o.start, o.end, timeZone)} with ${providerName(o.providerId)}`;

  async function send(choice: OfferAnswer) {
    if (!offer) return;
    setError(null);
    const when = describe(offer);
    try {
      await answer.mutateAsync({ id, answer: choice });
      setOutcome(choice === 'accept' ? { kind: 'booked', when } : { kind: 'declined' });
    } catch (err) {
      if (isApiError(err) && (err.status === 409 || err.status === 404)) {
        setOutcome({
          kind: 'gone',
          message:
            err.status === 409
              ? 'Sorry, this offer has expired or was already answered. The time may have gone to someone else.'
              : 'We could not find this offer.',
          requestId: err.requestId,
        });
      } else if (isApiError(err)) {
        setError({ message: err.message, requestId: err.requestId });
      } else {
        setError({ message: 'Could not send your answer. Please try again.', requestId: '' });
      }
    }
  }

  let body;
  if (outcome) {
    body = (
      <div ref={outcomeRef} tabIndex={-1} className={`notice ${outcome.kind === 'gone' ? 'notice--error' : 'notice--info'}`} role="status">
        {outcome.kind === 'booked' && (
          <>
            <p className="notice__title">You are booked</p>
            <p>{outcome.when}.</p>
          </>
        )}
        {outcome.kind === 'declined' && (
          <>
            <p className="notice__title">Offer declined</p>
            <p>Thanks for letting us know. You stay on the waitlist for other times.</p>
          </>
        )}
        {outcome.kind === 'gone' && (
          <>
            <p className="notice__title">This offer is no longer open</p>
            <p>
              {outcome.message}
              {outcome.requestId && <span className="notice__ref"> Reference: {outcome.requestId}</span>}
            </p>
          </>
        )}
        <p>
          <Link to="/portal">Go to My appointments</Link>
        </p>
      </div>
    );
  } else if (waitlist.isPending) {
    body = <Skeleton lines={3} label="Loading the offer…" />;
  } else if (waitlist.isError) {
    body = <ErrorNotice error={waitlist.error} title="Could not load the offer" onRetry={() => void waitlist.refetch()} />;
  } else if (!offer) {
    body = (
      <div className="notice notice--info">
        <p className="notice__title">This offer is no longer open</p>
        <p>It may have expired or been answered already. You can still book a visit online.</p>
        <p>
          <Link to="/portal">Go to My appointments</Link>
        </p>
      </div>
    );
  } else {
    const expired = new Date(offer.expiresAt).getTime() <= Date.now();
    body = (
      <section aria-labelledby="offer-title" className="visit-card">
        <h2 id="offer-title">{formatLongDate(dateInZone(offer.start, timeZone))}</h2>
        <p>
          {formatTimeRange(offer.start, offer.end, timeZone)} with {providerName(offer.providerId)}
        </p>
        <p>
          This time is held for you: <Countdown expiresAt={offer.expiresAt} />.
        </p>
        {preselected && (
          <p className="muted">
            You chose “{preselected === 'accept' ? 'Accept' : 'Decline'}” in your message. Press it below to confirm.
          </p>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error.message}
            {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
          </p>
        )}
        <div className="button-row">
          <button
            ref={acceptRef}
            type="button"
            className={preselected === 'decline' ? 'button-secondary' : 'button-primary'}
            onClick={() => void send('accept')}
            disabled={answer.isPending || expired}
          >
            {answer.isPending && answer.variables?.answer === 'accept' ? 'Booking…' : 'Accept this time'}
          </button>
          <button
            ref={declineRef}
            type="button"
            className={preselected === 'decline' ? 'button-primary' : 'button-secondary'}
            onClick={() => void send('decline')}
            disabled={answer.isPending}
          >
            {answer.isPending && answer.variables?.answer === 'decline' ? 'Declining…' : 'Decline'}
          </button>
        </div>
      </section>
    );
  }

  return (
    <main id="main" className="page page--narrow">
      <h1>An earlier visit is available</h1>
      <p className="lead">A time came free that matches your waitlist request.</p>
      {body}
    </main>
  );
}
