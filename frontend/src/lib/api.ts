/** Shape of every error the TopSmile API returns. */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    requestId?: string;
  };
}

function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string' &&
    (error as { message: string }).message.trim() !== ''
  );
}

/**
 * Reads the API's JSON error body from a failed response, if it has one.
 * Returns null when the body is missing, not JSON, or not in the API's shape.
 */
export async function readApiError(response: Response): Promise<ApiErrorBody['error'] | null> {
  try {
    const body: unknown = await response.json();
    return isApiErrorBody(body) ? body.error : null;
  } catch {
    return null;
  }
}
