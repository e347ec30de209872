import { newRequestId, refreshSession, toApiError } from './api';

/**
 * Fetches path with the session cookie, asking for `accept` (refreshing the
 * session once on 401, as the API client does), and answers the body as a
 * Blob; a failure is an ApiError (403, 503, …) a page can show.
 */
export async function fetchBlob(path: string, accept: string): Promise<Blob> {
  const get = () => {
    const requestId = newRequestId();
    return fetch(path, {
      credentials: 'same-origin',
      headers: { Accept: accept, 'X-Request-Id': requestId },
    }).then((response) => ({ response, requestId }));
  };
  let { response, requestId } = await get();
  if (response.status === 401 && (await refreshSession())) ({ response, requestId } = await get());
  if (!response.ok) throw await toApiError(response, requestId);
  return response.blob();
}

/** Saves blob as a file named fileName (a Blob URL behind a download link). */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    // Give the browser a moment to start the download before the URL goes.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
