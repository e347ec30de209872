import { createPortal } from 'react-dom';
import { RX_FORM_LABELS, type Prescription } from '../../api/prescriptions';
import { dateInZone, formatLongDate } from '../../lib/time';

export interface PrintFacts {
  clinicName: string;
  patientName: string;
  dateOfBirth: string;
  prescriber: string;
  timeZone: string;
}

/**
 * The prescription as printed: only this sheet shows on paper (see the
 * `@media print` rules for `.rx-print`); on screen it is not shown at all.
 */
export function RxPrintSheet({ rx, facts }: { rx: Prescription; facts: PrintFacts }) {
  const date = formatLongDate(dateInZone(rx.prescribedAt, facts.timeZone));
  return createPortal(
    <div className="rx-print" aria-hidden="true">
      <header className="rx-print__head">
        <p className="rx-print__clinic">{facts.clinicName}</p>
        <p className="rx-print__date">{date}</p>
      </header>
      <dl className="rx-print__patient">
        <div>
          <dt>Patient</dt>
          <dd>{facts.patientName}</dd>
        </div>
        <div>
          <dt>Date of birth</dt>
          <dd>{facts.dateOfBirth}</dd>
        </div>
      </dl>
      <p className="rx-print__symbol">℞</p>
      <dl className="rx-print__body">
        <div>
          <dt>Drug</dt>
          <dd>{rx.drug}</dd>
        </div>
        <div>
          <dt>Strength</dt>
          <dd>{rx.strength}</dd>
        </div>
        <div>
          <dt>Form</dt>
          <dd>{RX_FORM_LABELS[rx.form as keyof typeof RX_FORM_LABELS] ?? rx.form}</dd>
        </div>
        <div>
          <dt>Sig</dt>
          <dd>{rx.sig}</dd>
        </div>
        <div>
          <dt>Quantity</dt>
          <dd>{rx.quantity}</dd>
        </div>
        <div>
          <dt>Refills</dt>
          <dd>{rx.refills === 0 ? '0 (none)' : rx.refills}</dd>
        </div>
      </dl>
      <div className="rx-print__sign">
        <p>Prescriber: {facts.prescriber}</p>
        <p className="rx-print__line">Signature</p>
      </div>
    </div>,
    document.body,
  );
}
