import { useMutation } from '@tanstack/react-query';
import { fetchBlob, saveBlob } from '../lib/download';

// GET /api/fhir/Patient/{id}/$everything (issue 14 item 4): a FHIR R4
// searchset Bundle, application/fhir+json; admins any patient of their
// clinic, a patient their own record.

export const fhirEverythingPath = (patientId: string) => `/api/fhir/Patient/${encodeURIComponent(patientId)}/$everything`;

export const fhirFileName = (patientId: string) => `patient-${patientId.replace(/[^A-Za-z0-9._-]+/g, '_')}.fhir.json`;

/** Fetches the patient's bundle and saves it as patient-<id>.fhir.json. */
export async function downloadFhirRecord(patientId: string): Promise<void> {
  const blob = await fetchBlob(fhirEverythingPath(patientId), 'application/fhir+json, application/json');
  saveBlob(blob, fhirFileName(patientId));
}

/** The download as a mutation: its pending state for the button, its error (403, 503, …) for the page to show. */
export function useDownloadFhirRecord() {
  return useMutation({ mutationFn: downloadFhirRecord });
}
