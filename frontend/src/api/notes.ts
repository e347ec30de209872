import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../lib/api';

export type NoteType = 'soap' | 'procedure' | 'progress';
export type NoteStatus = 'draft' | 'signed';

export const NOTE_TYPE_LABELS: Record<NoteType, string> = {
  soap: 'SOAP note',
  procedure: 'Procedure note',
  progress: 'Progress note',
};

/** The SOAP fields, in order, with their labels. */
export const SOAP_FIELDS = [
  { key: 'subjective', label: 'Subjective' },
  { key: 'objective', label: 'Objective' },
  { key: 'assessment', label: 'Assessment' },
  { key: 'plan', label: 'Plan' },
] as const;

export interface NoteFields {
  subjective?: string;
  objective?: string;
  assessment?: string;
  plan?: string;
  body?: string;
}

export interface NoteTemplate extends NoteFields {
  id: string;
  name: string;
  type: NoteType;
}

export interface Note extends NoteFields {
  id: string;
  patientId: string;
  appointmentId?: string | null;
  type: NoteType;
  templateId?: string | null;
  status: NoteStatus;
  authorId: string;
  authorRole: string;
  createdAt: string;
  updatedAt?: string;
  signedAt: string | null;
  signedBy?: string | null;
  amends: string | null;
  amendments?: string[] | null;
}

export interface NoteInput extends NoteFields {
  type: NoteType;
  templateId?: string;
}

export const noteKeys = {
  all: ['notes'] as const,
  forPatient: (patientId: string) => ['notes', 'patient', patientId] as const,
  templates: ['note-templates'] as const,
};

const enc = encodeURIComponent;

/** A patient's notes, newest first; amendments are notes with `amends` set. */
export function useNotes(patientId: string) {
  return useQuery({
    queryKey: noteKeys.forPatient(patientId),
    queryFn: ({ signal }) => api.get<{ items: Note[] }>(`/api/patients/${enc(patientId)}/notes`, { signal }),
    select: (r) => r.items ?? [],
    enabled: !!patientId,
  });
}

export function useNoteTemplates() {
  return useQuery({
    queryKey: noteKeys.templates,
    queryFn: ({ signal }) => api.get<{ items: NoteTemplate[] }>('/api/note-templates', { signal }),
    select: (r) => r.items ?? [],
    staleTime: 10 * 60_000,
  });
}

function useNoteMutation<V>(patientId: string, fn: (v: V) => Promise<Note>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    meta: { inlineErrors: true },
    onSuccess: (note) => {
      queryClient.setQueryData<{ items: Note[] }>(noteKeys.forPatient(patientId), (old) => {
        if (!old || !note?.id) return old;
        const has = old.items.some((n) => n.id === note.id);
        let items = has ? old.items.map((n) => (n.id === note.id ? note : n)) : [note, ...old.items];
        // An amendment links back: its original lists it at once.
        if (note.amends) {
          items = items.map((n) =>
            n.id === note.amends && !(n.amendments ?? []).includes(note.id)
              ? { ...n, amendments: [...(n.amendments ?? []), note.id] }
              : n,
          );
        }
        return { ...old, items };
      });
      void queryClient.invalidateQueries({ queryKey: noteKeys.forPatient(patientId) });
    },
  });
}

export function useCreateNote(patientId: string) {
  return useNoteMutation(patientId, (input: NoteInput) => api.post<Note>(`/api/patients/${enc(patientId)}/notes`, input));
}

export function useUpdateNote(patientId: string) {
  return useNoteMutation(patientId, ({ id, ...changes }: NoteFields & { id: string }) =>
    api.patch<Note>(`/api/notes/${enc(id)}`, changes),
  );
}

export function useSignNote(patientId: string) {
  return useNoteMutation(patientId, (id: string) => api.post<Note>(`/api/notes/${enc(id)}/sign`, {}));
}

/** Creates the (signed) amendment of a signed note. */
export function useAmendNote(patientId: string) {
  return useNoteMutation(patientId, ({ id, ...fields }: NoteFields & { id: string }) =>
    api.post<Note>(`/api/notes/${enc(id)}/amend`, fields),
  );
}

/** The fields a note of this type uses (SOAP: four; procedure/progress: the body). */
export function noteFieldsFor(type: NoteType, from: NoteFields): NoteFields {
  if (type === 'soap') {
    return {
      subjective: from.subjective ?? '',
      objective: from.objective ?? '',
      assessment: from.assessment ?? '',
      plan: from.plan ?? '',
    };
  }
  return { body: from.body ?? '' };
}

export function isNoteEmpty(type: NoteType, fields: NoteFields): boolean {
  const values = Object.values(noteFieldsFor(type, fields));
  return values.every((v) => !v || !v.trim());
}

// ---------- who wrote it ----------

interface DirectoryProvider {
  id: string;
  name: string;
  userId?: string;
}

/**
 * Clinicians' names by user id, from the providers list (a provider is
 * linked to their user). Same key and request as the schedule's providers,
 * so the two share one cache entry.
 */
export function useClinicianNames() {
  return useQuery({
    queryKey: ['providers'],
    queryFn: ({ signal }) =>
      api.get<{ items: DirectoryProvider[] }>('/api/providers', { signal, query: { limit: 200 } }),
    select: (r) => {
      const names = new Map<string, string>();
      for (const p of r.items ?? []) if (p.userId) names.set(p.userId, p.name);
      return names;
    },
    staleTime: 5 * 60_000,
    retry: false,
  });
}
