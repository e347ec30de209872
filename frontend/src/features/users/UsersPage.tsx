import { useId, useRef, useState, type FormEvent } from 'react';
import {
  ROLE_LABELS,
  useCreateUser,
  useDisableUser,
  useEndUserSessions,
  useResetUserMfa,
  userName,
  useStaffUsers,
  useUpdateUser,
  type NewStaffUser,
  type StaffUser,
} from '../../api/users';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';
import { formatDateTime } from '../../lib/time';
import { toastError, toastSuccess } from '../../lib/toast';
import { STAFF_ROLES, type Role } from '../../lib/types';
import '../../components/reportTable.css';
import './users.css';

/** `/admin/users` (admins): the practice's staff, invites, roles, deactivation, two-step resets and sign-outs. */
export default function UsersPage() {
  const users = useStaffUsers();
  const [action, setAction] = useState<PendingAction | null>(null);
  const noteId = useId();

  return (
    <main id="main" className="page page--wide users">
      <div className="page__header">
        <h1>Users &amp; roles</h1>
        <p className="lead">Who works at the practice, what each of them may do, and how they sign in.</p>
      </div>

      <InviteForm />

      <section aria-labelledby="users-list" className="users__list">
        <h2 id="users-list">Staff</h2>
        <p id={noteId} className="muted">
          Changing someone’s role or deactivating them signs them out at once; they sign in again with the new role.
        </p>
        {users.isError ? (
          <ErrorNotice error={users.error} title="Could not load the staff" onRetry={() => void users.refetch()} />
        ) : users.isPending ? (
          <Skeleton lines={5} label="Loading the staff…" />
        ) : users.data.length === 0 ? (
          <p className="notice notice--info">No staff accounts yet. Invite someone above.</p>
        ) : (
          <StaffTable users={users.data} noteId={noteId} onAction={setAction} />
        )}
      </section>

      <ConfirmDialog action={action} onClose={() => setAction(null)} />
    </main>
  );
}

type InviteField = 'firstName' | 'lastName' | 'email' | 'role';

function InviteForm() {
  const id = useId();
  const create = useCreateUser();
  const empty: NewStaffUser = { firstName: '', lastName: '', email: '', role: 'receptionist' };
  const [form, setForm] = useState<NewStaffUser>(empty);
  const [local, setLocal] = useState<Partial<Record<InviteField, string>>>({});

  const err = create.error;
  const fieldError = (f: InviteField) => local[f] ?? (isApiError(err) ? err.fieldMessage(f) : undefined);
  const otherError = err && !(isApiError(err) && err.fields.length > 0) ? err : null;
  const set = (f: InviteField, v: string) => setForm((x) => ({ ...x, [f]: v }));

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    const body: NewStaffUser = { firstName: form.firstName.trim(), lastName: form.lastName.trim(), email: form.email.trim(), role: form.role };
    const problems: Partial<Record<InviteField, string>> = {};
    if (!body.firstName) problems.firstName = 'Enter their first name.';
    if (!body.lastName) problems.lastName = 'Enter their last name.';
    if (!body.email) problems.email = 'Enter the email address the invitation goes to.';
    setLocal(problems);
    if (Object.keys(problems).length > 0) {
      create.reset();
      return;
    }
    try {
      await create.mutateAsync(body);
      setForm(empty);
      toastSuccess(`Invitation sent to ${body.email}. They choose their own password from the link in it.`);
    } catch {
      // Shown at the fields (400) or under the form.
    }
  }

  const roleError = fieldError('role');
  return (
    <section aria-labelledby={`${id}-title`} className="form-card users__invite">
      <h2 id={`${id}-title`} className="section-title">
        Invite a colleague
      </h2>
      <p className="muted">They get an email with a link to choose their password; you never see it.</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="field-row">
          <Field label="First name" autoComplete="off" value={form.firstName} onChange={(e) => set('firstName', e.target.value)} error={fieldError('firstName')} />
          <Field label="Last name" autoComplete="off" value={form.lastName} onChange={(e) => set('lastName', e.target.value)} error={fieldError('lastName')} />
        </div>
        <div className="field-row">
          <Field label="Email" type="email" autoComplete="off" spellCheck={false} value={form.email} onChange={(e) => set('email', e.target.value)} error={fieldError('email')} />
          <div className="field">
            <label htmlFor={`${id}-role`}>Role</label>
            <select
              id={`${id}-role`}
              value={form.role}
              onChange={(e) => set('role', e.target.value)}
              aria-invalid={roleError ? true : undefined}
              aria-describedby={roleError ? `${id}-role-error` : undefined}
            >
              {STAFF_ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABELS[r]}
                </option>
              ))}
            </select>
            {roleError && (
              <p id={`${id}-role-error`} className="field__error">
                {roleError}
              </p>
            )}
          </div>
        </div>
        {otherError !== null && <ErrorNotice error={otherError} title="Could not send the invitation" />}
        <div className="button-row">
          <button type="submit" className="button-primary" disabled={create.isPending}>
            {create.isPending ? 'Sending…' : 'Send invitation'}
          </button>
        </div>
      </form>
    </section>
  );
}

type ActionKind = 'deactivate' | 'reactivate' | 'resetMfa' | 'endSessions';
interface PendingAction {
  kind: ActionKind;
  user: StaffUser;
}

function StaffTable({ users, noteId, onAction }: { users: StaffUser[]; noteId: string; onAction: (a: PendingAction) => void }) {
  const timeZone = useClinicTimeZone();
  const selfId = useSessionStore((s) => s.user?.id);
  const sorted = [...users].sort((a, b) => Number(a.disabled) - Number(b.disabled) || userName(a).localeCompare(userName(b)));
  return (
    <div className="report-table-wrap users__table" tabIndex={0} role="region" aria-label="Staff accounts">
      <table className="report-table">
        <caption className="visually-hidden">Staff accounts</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Two-step sign-in</th>
            <th scope="col">Status</th>
            <th scope="col">Last change</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((u) => {
            const self = u.id === selfId;
            return (
              <tr key={u.id} className={u.disabled ? 'users__row--disabled' : undefined}>
                <th scope="row">
                  <span className="users__name">
                    {userName(u)}
                    {self && <span className="muted"> (you)</span>}
                  </span>
                  <span className="users__email break-anywhere">{u.email}</span>
                </th>
                <td>
                  <RoleCell user={u} self={self} noteId={noteId} />
                </td>
                <td>{u.mfaEnabled ? 'On' : 'Off'}</td>
                <td>
                  <span className={`status ${u.disabled ? 'status--cancelled' : 'status--confirmed'}`}>{u.disabled ? 'Deactivated' : 'Active'}</span>
                </td>
                <td>{u.updatedAt ? <time dateTime={u.updatedAt}>{formatDateTime(u.updatedAt, timeZone)}</time> : '—'}</td>
                <td>
                  {self ? (
                    <p className="muted users__self-note">Your own sign-in, two-step and sessions are on your account page.</p>
                  ) : (
                    <div className="users__actions">
                      {u.disabled ? (
                        <button type="button" className="button-secondary" onClick={() => onAction({ kind: 'reactivate', user: u })} aria-label={`Reactivate ${userName(u)}…`}>
                          Reactivate…
                        </button>
                      ) : (
                        <button type="button" className="button-danger-outline" onClick={() => onAction({ kind: 'deactivate', user: u })} aria-label={`Deactivate ${userName(u)}…`}>
                          Deactivate…
                        </button>
                      )}
                      {u.mfaEnabled && (
                        <button type="button" className="button-secondary" onClick={() => onAction({ kind: 'resetMfa', user: u })} aria-label={`Reset two-step sign-in of ${userName(u)}…`}>
                          Reset two-step…
                        </button>
                      )}
                      {!u.disabled && (
                        <button type="button" className="button-secondary" onClick={() => onAction({ kind: 'endSessions', user: u })} aria-label={`End sessions of ${userName(u)}…`}>
                          End sessions…
                        </button>
                      )}
                    </div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The role select and its Save; the signed-in admin's own role is fixed (a reason says why). */
function RoleCell({ user, self, noteId }: { user: StaffUser; self: boolean; noteId: string }) {
  const id = useId();
  const update = useUpdateUser();
  const [role, setRole] = useState<Role>(user.role);
  const label = `Role of ${userName(user)}`;
  if (self) {
    return (
      <>
        {ROLE_LABELS[user.role]}
        <span className="users__reason muted"> You cannot change your own role.</span>
      </>
    );
  }
  const error = update.error;
  const message = error ? (isApiError(error) ? (error.fieldMessage('role') ?? error.message) : 'Could not change the role.') : undefined;

  async function save() {
    try {
      await update.mutateAsync({ id: user.id, patch: { role } });
      toastSuccess(`${userName(user)} is now ${ROLE_LABELS[role].toLowerCase()}; they were signed out.`);
    } catch (e) {
      if (!isApiError(e) || e.fields.length === 0) toastError(e, 'Could not change the role.');
    }
  }

  return (
    <div className="users__role">
      <label htmlFor={`${id}-role`} className="visually-hidden">
        {label}
      </label>
      <select
        id={`${id}-role`}
        value={role}
        disabled={user.disabled}
        onChange={(e) => {
          setRole(e.target.value as Role);
          update.reset();
        }}
        aria-describedby={[noteId, message ? `${id}-error` : ''].filter(Boolean).join(' ')}
        aria-invalid={message ? true : undefined}
      >
        {STAFF_ROLES.map((r) => (
          <option key={r} value={r}>
            {ROLE_LABELS[r]}
          </option>
        ))}
      </select>
      {role !== user.role && (
        <button type="button" className="button-primary" onClick={() => void save()} disabled={update.isPending} aria-label={`Save role of ${userName(user)}`}>
          {update.isPending ? 'Saving…' : 'Save'}
        </button>
      )}
      {message && (
        <p id={`${id}-error`} className="field__error">
          {message}
        </p>
      )}
    </div>
  );
}

const ACTIONS: Record<ActionKind, { title: (n: string) => string; description: (n: string) => string; confirm: string; busy: string; done: (n: string) => string; danger: boolean }> = {
  deactivate: {
    title: (n) => `Deactivate ${n}?`,
    description: (n) => `${n} is signed out at once and can no longer sign in. Their records and the audit trail keep their name; you can reactivate them later.`,
    confirm: 'Deactivate',
    busy: 'Deactivating…',
    done: (n) => `${n} was deactivated and signed out.`,
    danger: true,
  },
  reactivate: {
    title: (n) => `Reactivate ${n}?`,
    description: (n) => `${n} can sign in again with their password and their current role.`,
    confirm: 'Reactivate',
    busy: 'Reactivating…',
    done: (n) => `${n} can sign in again.`,
    danger: false,
  },
  resetMfa: {
    title: (n) => `Reset the two-step sign-in of ${n}?`,
    description: (n) =>
      `For a lost or replaced phone: ${n}'s authenticator codes and recovery codes stop working and they are signed out everywhere. They sign in with their password and, where the practice requires it, set up two-step sign-in again.`,
    confirm: 'Reset two-step sign-in',
    busy: 'Resetting…',
    done: (n) => `Two-step sign-in of ${n} was reset; they were signed out.`,
    danger: true,
  },
  endSessions: {
    title: (n) => `Sign ${n} out everywhere?`,
    description: (n) => `Every device ${n} is signed in on is signed out at once. Their account stays active.`,
    confirm: 'End sessions',
    busy: 'Signing out…',
    done: (n) => `${n} was signed out everywhere.`,
    danger: true,
  },
};

function ConfirmDialog({ action, onClose }: { action: PendingAction | null; onClose: () => void }) {
  const disable = useDisableUser();
  const update = useUpdateUser();
  const resetMfa = useResetUserMfa();
  const endSessions = useEndUserSessions();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const mutations = [disable, update, resetMfa, endSessions];
  const pending = mutations.some((m) => m.isPending);
  const error = mutations.find((m) => m.error)?.error ?? null;
  const spec = action ? ACTIONS[action.kind] : null;
  const name = action ? userName(action.user) : '';

  function close() {
    mutations.forEach((m) => m.reset());
    onClose();
  }

  async function confirm() {
    if (!action || !spec) return;
    const id = action.user.id;
    try {
      if (action.kind === 'deactivate') await disable.mutateAsync(id);
      else if (action.kind === 'reactivate') await update.mutateAsync({ id, patch: { disabled: false } });
      else if (action.kind === 'resetMfa') await resetMfa.mutateAsync(id);
      else await endSessions.mutateAsync(id);
      toastSuccess(spec.done(name));
      close();
    } catch {
      // Shown in the dialog.
    }
  }

  return (
    <Dialog open={action !== null} onClose={close} title={spec?.title(name) ?? ''} description={spec?.description(name)} size="sm" initialFocusRef={cancelRef}>
      {error !== null && <ErrorNotice error={error} title="That did not work" />}
      <div className="button-row">
        <button type="button" className={spec?.danger ? 'button-danger' : 'button-primary'} onClick={() => void confirm()} disabled={pending}>
          {pending ? spec?.busy : spec?.confirm}
        </button>
        <button ref={cancelRef} type="button" className="button-secondary" onClick={close}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
