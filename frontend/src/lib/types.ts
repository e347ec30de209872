/** Domain types as the TopSmile API sends them (see shared/DESIGN.md). */

export type Role = 'admin' | 'dentist' | 'hygienist' | 'assistant' | 'receptionist' | 'patient';

export const STAFF_ROLES: readonly Role[] = ['admin', 'dentist', 'hygienist', 'assistant', 'receptionist'];

export function isStaffRole(role: string | undefined | null): boolean {
  return !!role && (STAFF_ROLES as readonly string[]).includes(role);
}

export interface User {
  id: string;
  email: string;
  role: Role;
  clinicId: string;
  patientId?: string;
  firstName: string;
  lastName: string;
  mfaEnabled: boolean;
}

export interface ClinicSettings {
  timeZone: string;
  slotMinutes: number;
  cancelNoticeHours: number;
  idleLogoffMinutes: number;
  currency?: string;
  /** ISO 3166-1 alpha-2: phones are read and shown as this country's numbers. */
  country?: string;
  mfaRequired?: boolean;
  toothNumbering?: 'universal' | 'fdi';
}

export interface Clinic {
  id: string;
  name: string;
  /** The public sign-up name: /sign-up?clinic=<slug>. */
  slug?: string;
  settings: ClinicSettings;
}

export interface SessionResponse {
  user: User;
  mfaEnrollmentRequired: boolean;
}

export interface MeResponse extends SessionResponse {
  clinic: Clinic;
}

export interface Provider {
  id: string;
  name: string;
  kind: string;
  colour: string;
  hours: Record<string, { start: string; end: string }[]> | null;
  operatories: string[] | null;
  active: boolean;
}

export interface Operatory {
  id: string;
  name: string;
  active: boolean;
}

export interface AppointmentType {
  id: string;
  name: string;
  category: string;
  durationMinutes: number;
  colour: string;
  bookableOnline: boolean;
  /** False once deactivated: no new bookings; absent on types stored before. */
  active?: boolean;
}

export type AppointmentStatus =
  | 'pending'
  | 'held'
  | 'scheduled'
  | 'confirmed'
  | 'checked_in'
  | 'completed'
  | 'no_show'
  | 'cancelled'
  | 'failed';

export interface AppointmentChange {
  at: string;
  by: string;
  byRole: string;
  action: string;
  from?: string;
  to?: string;
}

export interface Appointment {
  id: string;
  patientId: string;
  providerId: string;
  operatoryId: string;
  typeId?: string;
  start: string;
  end: string;
  status: AppointmentStatus;
  history: AppointmentChange[];
  version: number;
  lateCancel?: boolean;
  cancelReason?: string;
  holdExpiresAt?: string;
  source?: string;
}

export interface Slot {
  start: string;
  end: string;
  providerId: string;
  operatoryId: string;
}

export interface PatientSummary {
  id: string;
  firstName: string;
  lastName: string;
  preferredName?: string;
  dateOfBirth: string;
  phone?: string;
  email?: string;
  status: string;
  guarantorId?: string;
  recallDueDate?: string;
  allergyAlert: boolean;
}

export interface Allergy {
  substance: string;
  severity: string;
}

export interface Patient extends PatientSummary {
  allergies: Allergy[];
  medications: { name: string; dose?: string }[];
  conditions: { name: string; notes?: string }[];
  recall?: { dueDate?: string };
}

export type AllergySeverity = 'mild' | 'moderate' | 'severe' | 'life-threatening';
export const ALLERGY_SEVERITIES: AllergySeverity[] = ['mild', 'moderate', 'severe', 'life-threatening'];

/** Severities that must interrupt whoever opens the record. */
export function isSevereAllergy(a: Allergy): boolean {
  return a.severity === 'severe' || a.severity === 'life-threatening';
}

export interface Address {
  line1?: string;
  line2?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

export interface EmergencyContact {
  name: string;
  relationship?: string;
  phone: string;
}

export type ContactMethod = 'sms' | 'email' | 'phone' | 'none';

export interface Communication {
  appointmentReminders: boolean;
  marketing: boolean;
}

/** How the practice reaches a patient, as `GET /api/patients/{id}/communication` sends it. */
export interface CommunicationPrefs {
  preferredContactMethod: 'email' | 'sms' | 'none' | string;
  email?: string;
  phone?: string;
  /** Whether appointment reminders go out at all (on unless turned off). */
  appointmentReminders?: boolean;
  /** Channels the patient opted out of (STOP to texts, the unsubscribe link of an email). */
  optOuts: { email: boolean; sms: boolean };
}

export interface CommunicationInput {
  preferredContactMethod?: 'email' | 'sms' | 'none';
  appointmentReminders?: boolean;
  /** Only the channels with an address on file (the server refuses the others). */
  optOuts?: { email?: boolean; sms?: boolean };
}

/** The full record, as `GET /api/patients/{id}` sends it. */
export interface PatientRecord extends Patient {
  sex?: string;
  address?: Address;
  emergencyContact?: EmergencyContact;
  preferredContactMethod?: ContactMethod;
  language?: string;
  communication?: Communication | null;
  guarantorId?: string;
  medicalHistoryUpdatedAt?: string | null;
  medicalHistoryUpdatedBy?: string;
  recall?: { intervalMonths?: number; lastHygieneVisit?: string; dueDate?: string };
  createdAt?: string;
  updatedAt?: string;
}

export interface TimelineItem {
  at: string;
  kind: string;
  id: string;
  title: string;
  status?: string;
}

export type WaitlistStatus = 'waiting' | 'offered';

export interface WaitlistOffer {
  appointmentId: string;
  start: string;
  end: string;
  providerId: string;
  expiresAt: string;
}

export interface WaitlistEntry {
  id: string;
  patientId: string;
  typeId?: string;
  providerIds?: string[] | null;
  days?: string[] | null;
  from?: string;
  to?: string;
  urgency: number;
  expiresOn?: string;
  status: WaitlistStatus | string;
  offer?: WaitlistOffer | null;
  createdAt?: string;
}

export interface AuthSession {
  id: string;
  device: string;
  ip: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  current: boolean;
}

export function patientDisplayName(p: Pick<PatientSummary, 'firstName' | 'lastName' | 'preferredName'>): string {
  const first = p.preferredName ? `${p.firstName} “${p.preferredName}”` : p.firstName;
  return `${first} ${p.lastName}`.trim();
}

export const STATUS_LABELS: Record<AppointmentStatus, string> = {
  pending: 'Pending',
  held: 'On hold',
  scheduled: 'Scheduled',
  confirmed: 'Confirmed',
  checked_in: 'Checked in',
  completed: 'Completed',
  no_show: 'No-show',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

/** Status actions and where they are legal; mirrors the server's status machine. */
export type AppointmentAction = 'confirm' | 'check-in' | 'complete' | 'no-show' | 'cancel';

export const ACTIONS: Record<AppointmentAction, { label: string; from: AppointmentStatus[] }> = {
  confirm: { label: 'Confirm', from: ['held', 'scheduled'] },
  'check-in': { label: 'Check in', from: ['scheduled', 'confirmed'] },
  complete: { label: 'Complete', from: ['checked_in'] },
  'no-show': { label: 'No-show', from: ['scheduled', 'confirmed'] },
  cancel: { label: 'Cancel appointment', from: ['held', 'scheduled', 'confirmed'] },
};

export function legalActions(status: AppointmentStatus): AppointmentAction[] {
  return (Object.keys(ACTIONS) as AppointmentAction[]).filter((a) => ACTIONS[a].from.includes(status));
}

export function isMovable(status: AppointmentStatus): boolean {
  return status === 'held' || status === 'scheduled' || status === 'confirmed';
}
