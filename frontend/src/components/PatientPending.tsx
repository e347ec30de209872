import type { UseQueryResult } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { isApiError } from '../lib/api';
import type { PatientRecord } from '../lib/types';
import { ErrorNotice } from './ErrorNotice';
import { Skeleton } from './Skeleton';

/**
 * What a patient's record screen shows until its patient is loaded: "not
 * found" (another clinic's or a wrong id answers 404), the error with a
 * retry, or a skeleton. Null once the patient is there.
 */
export function patientPending(patient: UseQueryResult<PatientRecord>, section: string) {
  if (patient.isError) {
    const missing = isApiError(patient.error) && patient.error.status === 404;
    return (
      <main id="main" className="page">
        <p className="breadcrumb">
          <Link to="/patients">Patients</Link>
        </p>
        <h1>{missing ? 'Patient not found' : section}</h1>
        {missing ? (
          <p>There is no patient at this address.</p>
        ) : (
          <ErrorNotice error={patient.error} title="Could not load this patient" onRetry={() => void patient.refetch()} />
        )}
      </main>
    );
  }
  if (!patient.data) {
    return (
      <main id="main" className="page">
        <h1 className="visually-hidden">{section}</h1>
        <Skeleton lines={8} label="Loading the patient…" />
      </main>
    );
  }
  return null;
}
