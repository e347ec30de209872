import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, NETWORK_ERROR_MESSAGE } from '../lib/api';

/**
 * A patient's documents (x-rays, photos, letters, scanned forms). The bytes
 * never pass through the API: the browser asks for an upload slot, PUTs the
 * file straight to the object store's presigned URL, then asks the API to
 * check and keep it. Downloads go through short-lived presigned URLs too.
 */

export const DOCUMENT_KINDS = ['xray', 'photo', 'referral', 'form', 'other'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const DOCUMENT_KIND_LABELS: Record<DocumentKind, string> = {
  xray: 'X-ray',
  photo: 'Photo',
  referral: 'Referral letter',
  form: 'Scanned form',
  other: 'Other',
};

export const kindLabel = (kind: string) => DOCUMENT_KIND_LABELS[kind as DocumentKind] ?? kind;

export type DocumentStatus = 'pending' | 'stored' | 'rejected' | 'archived';

export interface PatientDocument {
  id: string;
  patientId: string;
  kind: DocumentKind;
  fileName: string;
  contentType: string;
  size: number;
  /** Universal designation, or null when the document is of no one tooth. */
  tooth: string | null;
  /** YYYY-MM-DD. */
  takenOn: string | null;
  description: string;
  status: DocumentStatus;
  uploadedBy: string;
  createdAt: string;
  storedAt: string | null;
  archivedAt: string | null;
  /** In list answers, for stored images only. */
  previewUrl?: string;
}

export interface DocumentWithDownload extends PatientDocument {
  /** Valid for 5 minutes: ask again each time. */
  downloadUrl: string;
}

export interface NewDocumentInput {
  kind: DocumentKind;
  fileName: string;
  contentType: string;
  size: number;
  tooth?: string;
  takenOn?: string;
  description?: string;
}

export interface UploadSlot {
  id: string;
  uploadUrl: string;
  uploadHeaders: Record<string, string>;
  expiresAt: string;
  document: PatientDocument;
}

export type StatusFilter = 'stored' | 'archived' | 'all';

export interface DocumentFilter {
  kind?: DocumentKind | '';
  tooth?: string;
  status?: StatusFilter;
}

/** What the server takes, and the largest file it keeps. */
export const ACCEPTED_TYPES = ['image/jpeg', 'image/png', 'application/pdf', 'application/dicom'] as const;
export type AcceptedType = (typeof ACCEPTED_TYPES)[number];
export const MAX_DOCUMENT_BYTES = 25 * 1024 * 1024;
/** For the file input's `accept`. */
export const ACCEPT_ATTRIBUTE = '.jpg,.jpeg,.png,.pdf,.dcm,.dicom,image/jpeg,image/png,application/pdf,application/dicom';

export const TYPE_NAMES: Record<AcceptedType, string> = {
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'application/pdf': 'PDF',
  'application/dicom': 'DICOM',
};

export const isImageType = (contentType: string) => contentType === 'image/jpeg' || contentType === 'image/png';

const enc = encodeURIComponent;

export const documentKeys = {
  all: ['documents'] as const,
  patient: (patientId: string) => ['documents', 'patient', patientId] as const,
  list: (patientId: string, filter: DocumentFilter) =>
    ['documents', 'patient', patientId, { kind: filter.kind || '', tooth: filter.tooth || '', status: filter.status ?? 'stored' }] as const,
  download: (id: string, disposition: 'inline' | 'attachment') => ['documents', 'download', id, disposition] as const,
};

/** A patient's documents, newest first (stored ones unless `status` says otherwise). */
export function useDocuments(patientId: string | null | undefined, filter: DocumentFilter = {}) {
  return useQuery({
    queryKey: documentKeys.list(patientId ?? '', filter),
    queryFn: ({ signal }) =>
      api.get<{ items: PatientDocument[] }>(`/api/patients/${enc(patientId!)}/documents`, {
        signal,
        query: { kind: filter.kind || undefined, tooth: filter.tooth || undefined, status: filter.status ?? 'stored' },
      }),
    select: (r) => r.items ?? [],
    enabled: !!patientId,
  });
}

/** One document with a fresh download URL. */
export function fetchDocumentDownload(id: string, disposition: 'inline' | 'attachment', signal?: AbortSignal) {
  return api.get<DocumentWithDownload>(`/api/documents/${enc(id)}`, { signal, query: { disposition } });
}

/**
 * A fresh download URL each time the caller mounts (the viewer opening):
 * never cached, since the URL lapses after 5 minutes.
 */
export function useDocumentDownload(id: string | null | undefined, disposition: 'inline' | 'attachment' = 'inline') {
  return useQuery({
    queryKey: documentKeys.download(id ?? '', disposition),
    queryFn: ({ signal }) => fetchDocumentDownload(id!, disposition, signal),
    enabled: !!id,
    gcTime: 0,
    staleTime: 0,
    refetchOnMount: 'always',
  });
}

export function useArchiveDocument(patientId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<PatientDocument>(`/api/documents/${enc(id)}/archive`, {}),
    meta: { inlineErrors: true },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: documentKeys.patient(patientId) });
    },
  });
}

/** Step 1: an upload slot (a pending document and a presigned PUT). 400 with fields when refused. */
export function createUpload(patientId: string, input: NewDocumentInput) {
  return api.post<UploadSlot>(`/api/patients/${enc(patientId)}/documents`, input);
}

/** Step 3: the server checks what arrived. 409 when nothing did, 422 when it is not what was declared. */
export function completeUpload(id: string) {
  return api.post<PatientDocument>(`/api/documents/${enc(id)}/complete`, {});
}

export class UploadError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'UploadError';
    this.status = status;
  }
}

/**
 * Step 2: PUTs the bytes to the presigned URL with exactly the headers the
 * server signed. XMLHttpRequest for upload progress; no cookies, no CSRF
 * header (the URL is the credential, and it may be another origin).
 */
export function putToStore(
  slot: Pick<UploadSlot, 'uploadUrl' | 'uploadHeaders'>,
  file: Blob,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', slot.uploadUrl);
    xhr.withCredentials = false;
    for (const [name, value] of Object.entries(slot.uploadHeaders ?? {})) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress?.(Math.min(1, event.loaded / event.total));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(1);
        resolve();
      } else {
        reject(new UploadError(`The file store refused the upload (error ${xhr.status}). Please try again.`, xhr.status));
      }
    };
    xhr.onerror = () => reject(new UploadError(NETWORK_ERROR_MESSAGE, 0));
    xhr.ontimeout = () => reject(new UploadError(NETWORK_ERROR_MESSAGE, 0));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    if (signal) {
      if (signal.aborted) {
        xhr.abort();
        return;
      }
      signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(file);
  });
}

/** The declared type of a file: by its type, else by its extension (DICOM often has none). Null when refused. */
export function contentTypeOf(file: { name: string; type: string }): AcceptedType | null {
  const type = file.type.toLowerCase();
  if (type === 'image/jpg' || type === 'image/pjpeg') return 'image/jpeg';
  if ((ACCEPTED_TYPES as readonly string[]).includes(type)) return type as AcceptedType;
  if (type && type !== 'application/octet-stream') return null;
  const ext = file.name.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  switch (ext) {
    case 'jpg':
    case 'jpeg':
      return 'image/jpeg';
    case 'png':
      return 'image/png';
    case 'pdf':
      return 'application/pdf';
    case 'dcm':
    case 'dicom':
      return 'application/dicom';
    default:
      return null;
  }
}

function startsWith(bytes: Uint8Array, signature: number[], at = 0) {
  return signature.every((b, i) => bytes[at + i] === b);
}

/** Whether the first bytes are what the type says (the server checks the same after the upload). */
export function contentMatches(type: AcceptedType, head: Uint8Array): boolean {
  switch (type) {
    case 'image/jpeg':
      return startsWith(head, [0xff, 0xd8, 0xff]);
    case 'image/png':
      return startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    case 'application/pdf':
      return startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d]);
    case 'application/dicom':
      // DICOM files without the 128-byte preamble and "DICM" exist: the server judges those.
      return true;
  }
}

/** The first n bytes of a file. */
export async function readHead(file: Blob, n = 132): Promise<Uint8Array> {
  const part = file.slice(0, n);
  if (typeof part.arrayBuffer === 'function') return new Uint8Array(await part.arrayBuffer());
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(part);
  });
}

/** Why a file cannot be sent, as the server would say it; null when it may be sent. */
export async function refusalFor(file: File): Promise<string | null> {
  const type = contentTypeOf(file);
  if (!type) return 'This type of file is not accepted: choose a JPEG, PNG, PDF or DICOM (.dcm) file.';
  if (file.size === 0) return 'The file is empty.';
  if (file.size > MAX_DOCUMENT_BYTES) return `The file is ${formatBytes(file.size)}: the largest accepted is 25 MB.`;
  try {
    const head = await readHead(file);
    if (!contentMatches(type, head)) return `The file is not a ${TYPE_NAMES[type]}: its content does not match its name.`;
  } catch {
    // Unreadable here; the server checks the content after the upload.
  }
  return null;
}

/** The message to show on a file's row for a failed step. */
export function uploadErrorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.fields.filter((f) => f.message && f.message !== error.message).map((f) => f.message);
    return [error.message, ...fields].join(' ');
  }
  if (error instanceof Error && error.message) return error.message;
  return 'The upload failed. Please try again.';
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}
