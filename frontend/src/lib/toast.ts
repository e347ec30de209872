import { create } from 'zustand';
import { isApiError } from './api';

export interface Toast {
  id: number;
  tone: 'success' | 'error' | 'info';
  message: string;
  /** The API request id, shown on errors so support can find the log line. */
  requestId?: string;
}

interface ToastState {
  toasts: Toast[];
  push: (toast: Omit<Toast, 'id'>) => number;
  dismiss: (id: number) => void;
  clear: () => void;
}

let nextId = 1;

/** UI state for transient messages (client state, so zustand). */
export const useToastStore = create<ToastState>()((set) => ({
  toasts: [],
  push: (toast) => {
    const id = nextId++;
    set((s) => ({ toasts: [...s.toasts.slice(-3), { ...toast, id }] }));
    return id;
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  clear: () => set({ toasts: [] }),
}));

export function toastSuccess(message: string) {
  return useToastStore.getState().push({ tone: 'success', message });
}

/** Shows an error toast; API errors carry their request id. */
export function toastError(error: unknown, fallback = 'Something went wrong. Please try again.') {
  if (isApiError(error)) {
    return useToastStore.getState().push({ tone: 'error', message: error.message, requestId: error.requestId });
  }
  return useToastStore.getState().push({
    tone: 'error',
    message: error instanceof Error && error.message ? error.message : fallback,
  });
}
