import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { usePatient } from '../../api/patients';
import {
  groupPlans,
  optionLetter,
  useCompletePlanItem,
  usePlans,
  usePresentPlan,
  useRejectPlan,
  type Plan,
  type PlanItem,
} from '../../api/plans';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PatientHeader } from '../../components/PatientHeader';
import { Skeleton } from '../../components/Skeleton';
import { toastError, toastSuccess } from '../../lib/toast';
import type { Role } from '../../lib/types';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';
import { AcceptDialog } from './AcceptDialog';
import { PlanBuilder, type BuilderMode } from './PlanBuilder';
import { PlanOption } from './PlanOption';
import { patientPending } from '../../components/PatientPending';

/** Who builds, presents and completes plans; who may record an acceptance (the server enforces the same). */
export const PLAN_BUILDERS: readonly Role[] = ['admin', 'dentist', 'hygienist'];
export const PLAN_ACCEPTORS: readonly Role[] = ['admin', 'dentist', 'hygienist', 'receptionist'];

/** `/patients/:id/plans`: the patient's treatment plans, options side by side, and the builder. */
export default function PlansPage() {
  const { id = '' } = useParams();
  const role = useSessionStore((s) => s.user?.role);
  const currency = useSessionStore((s) => s.clinic?.settings.currency ?? 'USD');
  const numbering = useSessionStore((s) => s.clinic?.settings.toothNumbering ?? 'universal');
  const timeZone = useClinicTimeZone();
  const patient = usePatient(id);
  const plans = usePlans(id);
  const present = usePresentPlan(id);
  const reject = useRejectPlan(id);
  const complete = useCompletePlanItem(id);
  const [builder, setBuilder] = useState<BuilderMode | null>(null);
  const [accepting, setAccepting] = useState<{ plan: Plan; name: string; others: string[] } | null>(null);
  const [rejecting, setRejecting] = useState<{ plan: Plan; name: string } | null>(null);
  const canBuild = !!role && PLAN_BUILDERS.includes(role);
  const canAccept = !!role && PLAN_ACCEPTORS.includes(role);

  const gate = patientPending(patient, 'Treatment plans');
  if (gate || !patient.data) return gate;
  const p = patient.data;
  const patientName = `${p.firstName} ${p.lastName}`;
  const groups = groupPlans(plans.data ?? []);

  async function doPresent(plan: Plan, name: string) {
    try {
      await present.mutateAsync(plan.id);
      toastSuccess(`${name} presented to ${patientName}.`);
    } catch (err) {
      toastError(err);
    }
  }

  async function doComplete(plan: Plan, item: PlanItem) {
    try {
      await complete.mutateAsync({ planId: plan.id, itemId: item.id });
      toastSuccess(`${item.code} ${item.description} done and charted.`);
    } catch (err) {
      toastError(err);
    }
  }

  async function doReject() {
    if (!rejecting) return;
    try {
      await reject.mutateAsync(rejecting.plan.id);
      toastSuccess(`${rejecting.name} marked declined.`);
      setRejecting(null);
    } catch (err) {
      toastError(err);
    }
  }

  return (
    <main id="main" className="page page--wide plans-page">
      <PatientHeader
        patient={p}
        role={role}
        section="Treatment plans"
        actions={
          canBuild && !builder ? (
            <button type="button" className="button-primary" onClick={() => setBuilder({ kind: 'new' })}>
              New treatment plan
            </button>
          ) : undefined
        }
      />

      {builder && (
        <PlanBuilder
          key={builder.kind === 'new' ? 'new' : builder.kind === 'edit' ? `edit-${builder.plan.id}` : `alt-${builder.of.id}`}
          patientId={id}
          mode={builder}
          currency={currency}
          numbering={numbering}
          onDone={() => setBuilder(null)}
          onCancel={() => setBuilder(null)}
        />
      )}

      {plans.isError ? (
        <ErrorNotice error={plans.error} title="Could not load the treatment plans" onRetry={() => void plans.refetch()} />
      ) : plans.isPending ? (
        <Skeleton lines={6} label="Loading treatment plans…" />
      ) : groups.length === 0 ? (
        <div className="empty-state">
          <p>No treatment plans yet.</p>
          {canBuild && <p>Use “New treatment plan” to build one from the fee schedule.</p>}
        </div>
      ) : (
        <div className="plan-groups">
          {groups.map((group) => {
            const names = group.map((_, i) => (group.length > 1 ? `Option ${optionLetter(i)}` : 'Plan'));
            const first = group[0]!;
            return (
              <section key={first.groupId || first.id} className="plan-group" aria-labelledby={`group-${first.id}`}>
                <h2 id={`group-${first.id}`} className="section-title">
                  {group.length > 1 ? `${group.length} options: ${first.title}` : first.title}
                </h2>
                {group.length > 1 && (
                  <p className="muted">The options side by side. The patient accepts one; the others are then declined.</p>
                )}
                <div className={`plan-compare${group.length > 1 ? ' plan-compare--multi' : ''}`}>
                  {group.map((plan, i) => (
                    <PlanOption
                      key={plan.id}
                      plan={plan}
                      optionName={names[i]!}
                      currency={currency}
                      numbering={numbering}
                      timeZone={timeZone}
                      actions={{
                        canBuild,
                        canAccept,
                        presenting: present.isPending && present.variables === plan.id,
                        busyItemId: complete.isPending ? (complete.variables?.itemId ?? null) : null,
                        onPresent: () => void doPresent(plan, names[i]!),
                        onEdit: () => setBuilder({ kind: 'edit', plan, optionName: names[i]! }),
                        onAlternative: () => setBuilder({ kind: 'alternative', of: plan, optionName: `${names[i]!} (${plan.title})` }),
                        onAccept: () =>
                          setAccepting({
                            plan,
                            name: names[i]!,
                            others: group
                              .map((o, j) => ({ o, j }))
                              .filter(({ o }) => o.id !== plan.id && o.status !== 'rejected')
                              .map(({ o, j }) => `${names[j]!} (${o.title})`),
                          }),
                        onReject: () => setRejecting({ plan, name: names[i]! }),
                        onComplete: (item) => void doComplete(plan, item),
                      }}
                    />
                  ))}
                </div>
              </section>
            );
          })}
        </div>
      )}

      {accepting && (
        <AcceptDialog
          plan={accepting.plan}
          optionName={accepting.name}
          others={accepting.others}
          patientName={patientName}
          currency={currency}
          onClose={() => setAccepting(null)}
        />
      )}
      <Dialog
        open={!!rejecting}
        onClose={() => setRejecting(null)}
        title={rejecting ? `Mark ${rejecting.name} declined?` : ''}
        size="sm"
        description={<p>The patient has declined “{rejecting?.plan.title}”. A declined plan cannot be accepted later.</p>}
      >
        <div className="button-row">
          <button type="button" className="button-danger" onClick={() => void doReject()} disabled={reject.isPending}>
            {reject.isPending ? 'Saving…' : 'Mark declined'}
          </button>
          <button type="button" className="button-secondary" onClick={() => setRejecting(null)}>
            Keep it open
          </button>
        </div>
      </Dialog>
    </main>
  );
}
