import { useState, type FormEvent } from 'react';
import {
  PROVIDER_KINDS,
  useAddTimeOff,
  useAllProviders,
  useCreateProvider,
  useSetProviderHours,
  useUpdateProvider,
  type CatalogProvider,
  type ProviderInput,
} from '../../api/catalog';
import { Field } from '../../components/Field';
import { SelectField } from '../../components/SelectField';
import { fullWeek, weekProblems, WeeklyHoursEditor, WEEKDAYS, dayLabel } from '../../components/WeeklyHoursEditor';
import { isApiError } from '../../lib/api';
import type { Operatory } from '../../lib/types';
import { ActiveToggle, AddPanel, CatalogSection, chairNamer, CheckboxGroup, EditInDialog, fieldErrors, saved, StatusBadge, SubmitRow, useCatalogForm, type CatalogFormProps, type Problems } from './shared';

const KIND_OPTIONS = PROVIDER_KINDS.map((k) => ({ value: k, label: k === 'dentist' ? 'Dentist' : 'Hygienist' }));

export function ProvidersSection({ chairs }: { chairs: Operatory[] }) {
  const providers = useAllProviders();
  const update = useUpdateProvider();
  const chairName = chairNamer(chairs);

  return (
    <CatalogSection
      id="catalog-providers"
      title="Providers"
      noun="providers"
      query={providers}
      empty="No providers yet. Add the practice’s dentists and hygienists below."
      item={(p: CatalogProvider) => (
        <>
          <div className="catalog-item__main">
            <span className="catalog-swatch" style={{ background: p.colour }} aria-hidden="true" />
            <div>
              <h3 className="catalog-item__name">{p.name}</h3>
              <p className="muted small">
                {p.kind === 'dentist' ? 'Dentist' : 'Hygienist'}
                {' · '}
                {p.operatories?.length ? `Chairs: ${p.operatories.map(chairName).join(', ')}` : 'No chairs'}
                {' · '}
                {hoursSummary(p)}
              </p>
            </div>
            <StatusBadge active={p.active} />
          </div>
          <div className="button-row">
            <EditProvider provider={p} chairs={chairs} />
            <EditInDialog text="Hours" label={`Hours of ${p.name}`} title={`${p.name}’s working hours`} size="lg">
              {(close) => <HoursForm provider={p} close={close} />}
            </EditInDialog>
            <EditInDialog text="Time off" label={`Time off for ${p.name}`} title={`${p.name}’s time off`}>
              {() => <TimeOffForm provider={p} />}
            </EditInDialog>
            <ActiveToggle
              kind="provider"
              name={p.name}
              active={p.active}
              consequence="They are no longer offered for new bookings, online or at the desk. Their booked appointments stay on the schedule."
              setActive={(active) => update.mutateAsync({ id: p.id, patch: { active } })}
            />
          </div>
        </>
      )}
    >
      <AddProvider chairs={chairs} />
    </CatalogSection>
  );
}

function hoursSummary(p: CatalogProvider): string {
  const days = WEEKDAYS.filter((d) => (p.hours?.[d]?.length ?? 0) > 0);
  return days.length ? `Works ${days.map((d) => dayLabel(d).slice(0, 3)).join(', ')}` : 'No working hours yet';
}

interface ProviderValues {
  name: string;
  kind: string;
  colour: string;
  operatories: string[];
}

function ProviderForm({
  initial,
  chairs,
  submitLabel,
  pending,
  error,
  onSubmit,
}: CatalogFormProps<ProviderValues, ProviderInput> & { chairs: Operatory[] }) {
  const { values: v, setValues: setV, fieldError, submit } = useCatalogForm(
    { initial, error, onSubmit },
    (x): Problems => (x.name.trim() ? {} : { name: 'Enter the provider’s name.' }),
    (x): ProviderInput => ({ name: x.name.trim(), kind: x.kind, colour: x.colour, operatories: x.operatories }),
  );
  // Active chairs, and any inactive one the provider already has.
  const offered = chairs.filter((c) => c.active || initial.operatories.includes(c.id));

  return (
    <form onSubmit={submit} noValidate className="catalog-form">
      <Field label="Name" value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} error={fieldError('name')} autoComplete="off" />
      <div className="field-row">
        <SelectField label="Kind" value={v.kind} onChange={(e) => setV({ ...v, kind: e.target.value })} error={fieldError('kind')} options={KIND_OPTIONS} />
        <Field label="Colour on the schedule" type="color" value={v.colour} onChange={(e) => setV({ ...v, colour: e.target.value })} error={fieldError('colour')} />
      </div>
      <CheckboxGroup
        legend="Chairs they use"
        hint={offered.length === 0 ? 'No chairs yet: add them under Chairs.' : undefined}
        options={offered.map((c) => ({ value: c.id, label: c.active ? c.name : `${c.name} (inactive)` }))}
        selected={v.operatories}
        onChange={(operatories) => setV({ ...v, operatories })}
        error={fieldError('operatories')}
      />
      <SubmitRow pending={pending} label={submitLabel} error={error} failTitle="Could not save the provider" />
    </form>
  );
}

function AddProvider({ chairs }: { chairs: Operatory[] }) {
  const create = useCreateProvider();
  return (
    <AddPanel title="Add a provider">
      <ProviderForm
        initial={{ name: '', kind: 'dentist', colour: '#1f6feb', operatories: [] }}
        chairs={chairs}
        submitLabel="Add provider"
        pending={create.isPending}
        error={create.error}
        onSubmit={(input) => saved(() => create.mutateAsync(input), `${input.name} added. Set their working hours next.`)}
      />
    </AddPanel>
  );
}

function EditProvider({ provider, chairs }: { provider: CatalogProvider; chairs: Operatory[] }) {
  const update = useUpdateProvider();
  return (
    <EditInDialog text="Edit" label={`Edit ${provider.name}`} title={`Edit ${provider.name}`} onOpen={() => update.reset()}>
      {(close) => (
        <ProviderForm
          initial={{ name: provider.name, kind: provider.kind, colour: provider.colour, operatories: provider.operatories ?? [] }}
          chairs={chairs}
          submitLabel="Save provider"
          pending={update.isPending}
          error={update.error}
          onSubmit={(patch) => saved(() => update.mutateAsync({ id: provider.id, patch }), `${patch.name ?? provider.name} saved.`, close)}
        />
      )}
    </EditInDialog>
  );
}

function HoursForm({ provider, close }: { provider: CatalogProvider; close: () => void }) {
  const [week, setWeek] = useState(() => fullWeek(provider.hours));
  const [local, setLocal] = useState<Problems>({});
  const save = useSetProviderHours();
  const serverError = isApiError(save.error) ? save.error.fieldMessage('hours') : undefined;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problems = weekProblems(week);
    setLocal(problems);
    if (Object.keys(problems).length) return;
    await saved(() => save.mutateAsync({ id: provider.id, hours: week }), `${provider.name}’s hours saved.`, close);
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="catalog-form">
      <WeeklyHoursEditor
        legend="Weekly hours"
        hint="The practice’s local time. Split a day (for lunch) with Add hours."
        value={week}
        onChange={setWeek}
        dayError={(day) => local[day]}
      />
      {serverError && (
        <p className="field__error" role="alert">
          {serverError}
        </p>
      )}
      <SubmitRow pending={save.isPending} label="Save hours" error={save.error} failTitle="Could not save the hours" />
    </form>
  );
}

function TimeOffForm({ provider }: { provider: CatalogProvider }) {
  const [range, setRange] = useState({ from: '', to: '', reason: '' });
  const [local, setLocal] = useState<Problems>({});
  const add = useAddTimeOff();
  const fieldError = fieldErrors(local, add.error);
  const listed = provider.timeOff ?? [];

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problems: Problems = {};
    if (!range.from) problems.from = 'Enter the first day off.';
    if (!range.to) problems.to = 'Enter the last day off.';
    else if (range.from && range.to < range.from) problems.to = 'The last day cannot be before the first.';
    setLocal(problems);
    if (Object.keys(problems).length) return;
    const body = { from: range.from, to: range.to, ...(range.reason.trim() ? { reason: range.reason.trim() } : {}) };
    await saved(() => add.mutateAsync({ id: provider.id, range: body }), `Time off added for ${provider.name}.`, () =>
      setRange({ from: '', to: '', reason: '' }),
    );
  }

  return (
    <>
      {listed.length === 0 ? (
        <p className="muted">No time off recorded.</p>
      ) : (
        <ul className="catalog-timeoff" aria-label="Recorded time off">
          {listed.map((t, i) => (
            <li key={i}>
              {t.from === t.to ? t.from : `${t.from} to ${t.to}`}
              {t.reason && <span className="muted"> · {t.reason}</span>}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={(e) => void submit(e)} noValidate className="catalog-form">
        <div className="field-row">
          <Field label="From" type="date" value={range.from} onChange={(e) => setRange({ ...range, from: e.target.value })} error={fieldError('from')} />
          <Field label="To" type="date" value={range.to} onChange={(e) => setRange({ ...range, to: e.target.value })} error={fieldError('to')} />
        </div>
        <Field label="Reason (optional)" value={range.reason} maxLength={200} onChange={(e) => setRange({ ...range, reason: e.target.value })} error={fieldError('reason')} />
        <SubmitRow pending={add.isPending} label="Add time off" pendingLabel="Adding…" error={add.error} failTitle="Could not add the time off" />
      </form>
    </>
  );
}
