import { useDownloadFhirRecord } from '../api/fhir';
import { isApiError } from '../lib/api';
import { toastSuccess } from '../lib/toast';
import './fhirDownload.css';

/** Why a download failed, in words for the one who asked. */
function problem(error: unknown): string {
  if (!isApiError(error)) return 'Please try again.';
  const ref = error.requestId ? ` (Reference: ${error.requestId})` : '';
  if (error.status === 403) return `You are not allowed to download this record.${ref}`;
  if (error.status === 503) return `The record export is unavailable just now. Please try again shortly.${ref}`;
  return `${error.message}${ref}`;
}

/** A button that saves the patient's FHIR R4 record as patient-<id>.fhir.json, with the failure next to it. */
export function FhirDownloadButton({ patientId, label, className = 'button-secondary' }: { patientId: string; label: string; className?: string }) {
  const download = useDownloadFhirRecord();
  return (
    <span className="fhir-download">
      <button
        type="button"
        className={className}
        disabled={download.isPending}
        onClick={() => download.mutate(patientId, { onSuccess: () => toastSuccess('The record is downloaded (FHIR R4, JSON).') })}
      >
        {download.isPending ? 'Preparing the record…' : label}
      </button>
      {download.isError && (
        <span className="form-error fhir-download__error" role="alert">
          Could not download the record. {problem(download.error)}
        </span>
      )}
    </span>
  );
}
