import { MutationCache, QueryClient } from '@tanstack/react-query';
import { isApiError } from './api';
import { toastError } from './toast';

declare module '@tanstack/react-query' {
  interface Register {
    mutationMeta: {
      /** The component shows this mutation's errors itself: no toast. */
      inlineErrors?: boolean;
    };
  }
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        if (mutation.options.meta?.inlineErrors) return;
        toastError(error);
      },
    }),
    defaultOptions: {
      queries: {
        refetchOnWindowFocus: false,
        // The API client already retries network failures; a 4xx will not
        // get better by asking again, a 5xx might once.
        retry: (failureCount, error) => isApiError(error) && error.status >= 500 && failureCount < 1,
      },
      mutations: { retry: false },
    },
  });
}
