import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  completeUpload,
  contentTypeOf,
  createUpload,
  documentKeys,
  putToStore,
  refusalFor,
  uploadErrorMessage,
  type DocumentKind,
  type NewDocumentInput,
  type PatientDocument,
} from '../../api/documents';

export type UploadState = 'checking' | 'refused' | 'uploading' | 'finishing' | 'done' | 'failed' | 'cancelled';

/** One dropped or chosen file on its way in (client state: it lives with the page). */
export interface UploadRow {
  key: string;
  fileName: string;
  size: number;
  state: UploadState;
  /** 0…1 of the bytes sent. */
  progress: number;
  /** Why it was refused or failed. */
  message?: string;
  document?: PatientDocument;
}

/** What the person set before adding the files; it goes with each of them. */
export interface UploadDetails {
  kind: DocumentKind;
  tooth: string;
  takenOn: string;
  description: string;
}

export const isFinished = (row: UploadRow) =>
  row.state === 'done' || row.state === 'refused' || row.state === 'failed' || row.state === 'cancelled';

let nextKey = 1;

/**
 * Each file goes its own way: checked here (type, size, first bytes), then an
 * upload slot from the API, the PUT to the store with progress, and the
 * server's check. The list of the patient's documents refreshes after each
 * file that is kept.
 */
export function useUploadQueue(patientId: string) {
  const queryClient = useQueryClient();
  const [rows, setRows] = useState<UploadRow[]>([]);
  const controllers = useRef(new Map<string, AbortController>());
  const [announcement, setAnnouncement] = useState('');

  useEffect(() => {
    const live = controllers.current;
    return () => {
      for (const c of live.values()) c.abort();
      live.clear();
    };
  }, []);

  const update = useCallback((key: string, patch: Partial<UploadRow>) => {
    setRows((all) => all.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  }, []);

  const uploadOne = useCallback(
    async (key: string, file: File, details: UploadDetails) => {
      const refusal = await refusalFor(file);
      if (refusal) {
        update(key, { state: 'refused', message: refusal });
        setAnnouncement(`${file.name} refused: ${refusal}`);
        return;
      }
      const controller = new AbortController();
      controllers.current.set(key, controller);
      update(key, { state: 'uploading', progress: 0 });
      const input: NewDocumentInput = {
        kind: details.kind,
        fileName: file.name,
        contentType: contentTypeOf(file)!,
        size: file.size,
      };
      if (details.tooth) input.tooth = details.tooth;
      if (details.takenOn) input.takenOn = details.takenOn;
      if (details.description.trim()) input.description = details.description.trim();
      try {
        const slot = await createUpload(patientId, input);
        if (controller.signal.aborted) throw new DOMException('cancelled', 'AbortError');
        await putToStore(slot, file, (progress) => update(key, { progress }), controller.signal);
        update(key, { state: 'finishing', progress: 1 });
        const stored = await completeUpload(slot.id);
        update(key, { state: 'done', document: stored });
        setAnnouncement(`${file.name} uploaded.`);
        void queryClient.invalidateQueries({ queryKey: documentKeys.patient(patientId) });
      } catch (error) {
        if (error instanceof DOMException && error.name === 'AbortError') {
          update(key, { state: 'cancelled', message: 'Upload cancelled.' });
          setAnnouncement(`${file.name}: upload cancelled.`);
        } else {
          const message = uploadErrorMessage(error);
          update(key, { state: 'failed', message });
          setAnnouncement(`${file.name} was not uploaded: ${message}`);
        }
      } finally {
        controllers.current.delete(key);
      }
    },
    [patientId, queryClient, update],
  );

  const add = useCallback(
    (files: File[], details: UploadDetails) => {
      const added = files.map((file) => ({ file, key: `u${nextKey++}` }));
      setRows((all) => [
        ...all,
        ...added.map(({ file, key }) => ({ key, fileName: file.name, size: file.size, state: 'checking' as const, progress: 0 })),
      ]);
      for (const { file, key } of added) void uploadOne(key, file, details);
    },
    [uploadOne],
  );

  const cancel = useCallback((key: string) => controllers.current.get(key)?.abort(), []);
  const dismiss = useCallback((key: string) => setRows((all) => all.filter((r) => r.key !== key)), []);
  const clearFinished = useCallback(() => setRows((all) => all.filter((r) => !isFinished(r))), []);

  return { rows, add, cancel, dismiss, clearFinished, announcement };
}
