import { useAllOperatories, useCreateOperatory, useUpdateOperatory } from '../../api/catalog';
import { Field } from '../../components/Field';
import type { Operatory } from '../../lib/types';
import { ProvidersSection } from './ProvidersSection';
import { ActiveToggle, AddPanel, CatalogSection, EditInDialog, saved, StatusBadge, SubmitRow, useCatalogForm, type CatalogFormProps, type Problems } from './shared';
import { TypesSection } from './TypesSection';
import './catalog.css';

/**
 * `/admin/catalog` (admins): who sees patients and when, the chairs, and the
 * kinds of visit. Nothing is deleted: what is deactivated stops being offered
 * for new bookings and stays on the appointments it has.
 */
export default function CatalogPage() {
  const chairs = useAllOperatories();
  const list = chairs.data ?? [];
  return (
    <main id="main" className="page catalog">
      <div className="page__header">
        <h1>Providers, chairs &amp; appointment types</h1>
        <p className="lead">What the schedule and online booking offer. Deactivate what is no longer used: booked appointments keep it.</p>
      </div>
      <ProvidersSection chairs={list} />
      <ChairsSection chairs={chairs} />
      <TypesSection chairs={list} />
    </main>
  );
}

function ChairsSection({ chairs }: { chairs: ReturnType<typeof useAllOperatories> }) {
  const update = useUpdateOperatory();
  const rename = useUpdateOperatory();
  const create = useCreateOperatory();
  return (
    <CatalogSection
      id="catalog-chairs"
      title="Chairs"
      noun="chairs"
      query={chairs}
      empty="No chairs yet. Add one below."
      item={(c: Operatory) => (
        <>
          <div className="catalog-item__main">
            <h3 className="catalog-item__name">{c.name}</h3>
            <StatusBadge active={c.active} />
          </div>
          <div className="button-row">
            <EditInDialog text="Rename" label={`Rename ${c.name}`} title={`Rename ${c.name}`} size="sm" onOpen={() => rename.reset()}>
              {(close) => (
                <ChairNameForm
                  initial={c.name}
                  submitLabel="Save name"
                  pending={rename.isPending}
                  error={rename.error}
                  onSubmit={(name) => saved(() => rename.mutateAsync({ id: c.id, patch: { name } }), `Chair renamed to ${name}.`, close)}
                />
              )}
            </EditInDialog>
            <ActiveToggle
              kind="chair"
              name={c.name}
              active={c.active}
              consequence="No new appointment can be booked in it. Appointments already in it stay on the schedule."
              setActive={(active) => update.mutateAsync({ id: c.id, patch: { active } })}
            />
          </div>
        </>
      )}
    >
      <AddPanel title="Add a chair">
        <ChairNameForm
          initial=""
          submitLabel="Add chair"
          pending={create.isPending}
          error={create.error}
          onSubmit={(name) => saved(() => create.mutateAsync(name), `${name} added.`)}
        />
      </AddPanel>
    </CatalogSection>
  );
}

/** A chair's name, for adding one or renaming it. */
function ChairNameForm({ initial, submitLabel, pending, error, onSubmit }: CatalogFormProps<string, string>) {
  const { values: name, setValues: setName, fieldError, submit } = useCatalogForm(
    { initial, error, onSubmit },
    (x): Problems => (x.trim() ? {} : { name: 'Enter the chair’s name.' }),
    (x) => x.trim(),
  );

  return (
    <form onSubmit={submit} noValidate className="catalog-form">
      <Field label="Chair name" value={name} onChange={(e) => setName(e.target.value)} error={fieldError('name')} autoComplete="off" />
      <SubmitRow pending={pending} label={submitLabel} error={error} failTitle="Could not save the chair" />
    </form>
  );
}
