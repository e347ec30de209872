import { isApiError } from '../lib/api';

/** An inline error with the request id and a retry button. */
export function ErrorNotice({
  error,
  title = 'Something went wrong',
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  const message = error instanceof Error ? error.message : 'Please try again.';
  return (
    <div className="notice notice--error" role="alert">
      <p className="notice__title">{title}</p>
      <p>
        {message}
        {isApiError(error) && error.requestId && (
          <span className="notice__ref"> Reference: {error.requestId}</span>
        )}
      </p>
      {onRetry && (
        <button type="button" className="button-secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
