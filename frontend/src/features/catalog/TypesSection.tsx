import {
  PROVIDER_KINDS,
  TYPE_CATEGORIES,
  useAllTypes,
  useCreateType,
  useUpdateType,
  type CatalogType,
  type NewAppointmentType,
} from '../../api/catalog';
import { Field } from '../../components/Field';
import { SelectField } from '../../components/SelectField';
import type { Operatory } from '../../lib/types';
import { ActiveToggle, AddPanel, CatalogSection, chairNamer, CheckboxGroup, EditInDialog, saved, StatusBadge, SubmitRow, useCatalogForm, wholeIn, type CatalogFormProps, type Problems } from './shared';

const CATEGORY_OPTIONS = TYPE_CATEGORIES.map((c) => ({ value: c, label: c.charAt(0).toUpperCase() + c.slice(1) }));

export function TypesSection({ chairs }: { chairs: Operatory[] }) {
  const types = useAllTypes();
  const update = useUpdateType();
  const chairName = chairNamer(chairs);

  return (
    <CatalogSection
      id="catalog-types"
      title="Appointment types"
      noun="appointment types"
      query={types}
      empty="No appointment types yet. Add one below."
      item={(t: CatalogType) => {
        const active = t.active !== false;
        return (
          <>
            <div className="catalog-item__main">
              <span className="catalog-swatch" style={{ background: t.colour }} aria-hidden="true" />
              <div>
                <h3 className="catalog-item__name">{t.name}</h3>
                <p className="muted small">
                  {CATEGORY_OPTIONS.find((c) => c.value === t.category)?.label ?? t.category} · {t.durationMinutes} min
                  {t.bufferBeforeMinutes || t.bufferAfterMinutes ? ` (+${t.bufferBeforeMinutes ?? 0} before, +${t.bufferAfterMinutes ?? 0} after)` : ''}
                  {' · '}
                  {t.bookableOnline ? 'Bookable online' : 'Desk only'}
                  {t.defaultOperatoryId ? ` · ${chairName(t.defaultOperatoryId)}` : ''}
                  {t.providerKinds?.length ? ` · ${t.providerKinds.join(' or ')}` : ''}
                </p>
              </div>
              <StatusBadge active={active} />
            </div>
            <div className="button-row">
              <EditType type={t} chairs={chairs} />
              <ActiveToggle
                kind="appointment type"
                name={t.name}
                active={active}
                consequence="It can no longer be booked, online or at the desk. Appointments already booked as this type keep it."
                setActive={(next) => update.mutateAsync({ id: t.id, patch: { active: next } })}
              />
            </div>
          </>
        );
      }}
    >
      <AddType chairs={chairs} />
    </CatalogSection>
  );
}

/** The form's state: numbers as typed. */
interface TypeValues {
  name: string;
  category: string;
  durationMinutes: string;
  colour: string;
  bufferBeforeMinutes: string;
  bufferAfterMinutes: string;
  bookableOnline: boolean;
  defaultOperatoryId: string;
  recallMonths: string;
  providerKinds: string[];
}

const NEW_TYPE: TypeValues = {
  name: '', category: 'exam', durationMinutes: '30', colour: '#6e7781', bufferBeforeMinutes: '0', bufferAfterMinutes: '0',
  bookableOnline: false, defaultOperatoryId: '', recallMonths: '0', providerKinds: [],
};

function valuesOf(t: CatalogType): TypeValues {
  return {
    name: t.name, category: t.category, durationMinutes: String(t.durationMinutes), colour: t.colour || '#6e7781',
    bufferBeforeMinutes: String(t.bufferBeforeMinutes ?? 0), bufferAfterMinutes: String(t.bufferAfterMinutes ?? 0),
    bookableOnline: t.bookableOnline, defaultOperatoryId: t.defaultOperatoryId ?? '', recallMonths: String(t.recallMonths ?? 0),
    providerKinds: t.providerKinds ?? [],
  };
}

/** The server's checks (scheduling's validateType), made before sending. */
function typeProblems(v: TypeValues): Problems {
  const out: Problems = {};
  if (!v.name.trim()) out.name = 'Enter a name.';
  if (!wholeIn(v.durationMinutes, 5, 480, 5)) out.durationMinutes = 'Enter 5 to 480 minutes, in steps of 5.';
  if (!wholeIn(v.bufferBeforeMinutes, 0, 60, 5)) out.bufferBeforeMinutes = 'Enter 0 to 60 minutes, in steps of 5.';
  if (!wholeIn(v.bufferAfterMinutes, 0, 60, 5)) out.bufferAfterMinutes = 'Enter 0 to 60 minutes, in steps of 5.';
  if (!wholeIn(v.recallMonths, 0, 60)) out.recallMonths = 'Enter 0 to 60 months.';
  return out;
}

function inputOf(v: TypeValues): NewAppointmentType {
  return {
    name: v.name.trim(), category: v.category, durationMinutes: Number(v.durationMinutes), colour: v.colour,
    bufferBeforeMinutes: Number(v.bufferBeforeMinutes), bufferAfterMinutes: Number(v.bufferAfterMinutes),
    bookableOnline: v.bookableOnline, defaultOperatoryId: v.defaultOperatoryId, recallMonths: Number(v.recallMonths),
    providerKinds: v.providerKinds,
  };
}

function TypeForm({
  initial,
  chairs,
  submitLabel,
  pending,
  error,
  onSubmit,
}: CatalogFormProps<TypeValues, NewAppointmentType> & { chairs: Operatory[] }) {
  const { values: v, setValues: setV, fieldError, submit } = useCatalogForm({ initial, error, onSubmit }, typeProblems, inputOf);
  const set = <K extends keyof TypeValues>(key: K, value: TypeValues[K]) => setV((x) => ({ ...x, [key]: value }));
  const minutes = (key: 'durationMinutes' | 'bufferBeforeMinutes' | 'bufferAfterMinutes' | 'recallMonths', label: string, max: number, step: number) => (
    <Field
      label={label}
      type="number"
      inputMode="numeric"
      min={0}
      max={max}
      step={step}
      value={v[key]}
      onChange={(e) => set(key, e.target.value)}
      error={fieldError(key)}
    />
  );
  const chairOptions = [
    { value: '', label: 'Any chair' },
    ...chairs.filter((c) => c.active || c.id === initial.defaultOperatoryId).map((c) => ({ value: c.id, label: c.active ? c.name : `${c.name} (inactive)` })),
  ];

  return (
    <form onSubmit={submit} noValidate className="catalog-form">
      <Field label="Name" value={v.name} onChange={(e) => set('name', e.target.value)} error={fieldError('name')} autoComplete="off" />
      <div className="field-row">
        <SelectField label="Category" value={v.category} onChange={(e) => set('category', e.target.value)} error={fieldError('category')} options={CATEGORY_OPTIONS} />
        {minutes('durationMinutes', 'Length (minutes)', 480, 5)}
        <Field label="Colour on the schedule" type="color" value={v.colour} onChange={(e) => set('colour', e.target.value)} error={fieldError('colour')} />
      </div>
      <div className="field-row">
        {minutes('bufferBeforeMinutes', 'Set-up before (minutes)', 60, 5)}
        {minutes('bufferAfterMinutes', 'Clean-up after (minutes)', 60, 5)}
        {minutes('recallMonths', 'Recall after (months, 0 for none)', 60, 1)}
      </div>
      <SelectField
        label="Default chair"
        value={v.defaultOperatoryId}
        onChange={(e) => set('defaultOperatoryId', e.target.value)}
        error={fieldError('defaultOperatoryId')}
        options={chairOptions}
      />
      <CheckboxGroup
        legend="Who may take it"
        hint="None ticked: any provider."
        options={PROVIDER_KINDS.map((k) => ({ value: k, label: k === 'dentist' ? 'Dentists' : 'Hygienists' }))}
        selected={v.providerKinds}
        onChange={(kinds) => set('providerKinds', kinds)}
        error={fieldError('providerKinds')}
      />
      <label className="checkbox">
        <input type="checkbox" checked={v.bookableOnline} onChange={(e) => set('bookableOnline', e.target.checked)} />
        Patients can book it online
      </label>
      <SubmitRow pending={pending} label={submitLabel} error={error} failTitle="Could not save the appointment type" />
    </form>
  );
}

function AddType({ chairs }: { chairs: Operatory[] }) {
  const create = useCreateType();
  return (
    <AddPanel title="Add an appointment type">
      <TypeForm
        initial={NEW_TYPE}
        chairs={chairs}
        submitLabel="Add appointment type"
        pending={create.isPending}
        error={create.error}
        onSubmit={(input) => saved(() => create.mutateAsync(input), `${input.name} added.`)}
      />
    </AddPanel>
  );
}

function EditType({ type, chairs }: { type: CatalogType; chairs: Operatory[] }) {
  const update = useUpdateType();
  return (
    <EditInDialog text="Edit" label={`Edit ${type.name}`} title={`Edit ${type.name}`} size="lg" onOpen={() => update.reset()}>
      {(close) => (
        <TypeForm
          initial={valuesOf(type)}
          chairs={chairs}
          submitLabel="Save appointment type"
          pending={update.isPending}
          error={update.error}
          onSubmit={(patch) => saved(() => update.mutateAsync({ id: type.id, patch }), `${patch.name} saved.`, close)}
        />
      )}
    </EditInDialog>
  );
}
