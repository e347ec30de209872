/** The steps of moving a visit, each an API call the page supplies. */
export interface RescheduleSteps {
  /** Confirms the new, held appointment. */
  confirm: (newId: string) => Promise<unknown>;
  /** Cancels the old appointment. */
  cancelOld: (oldId: string) => Promise<unknown>;
  /** Gives the new appointment back (cancels the hold or the just-confirmed visit). */
  release: (newId: string) => Promise<unknown>;
}

export type RescheduleOutcome =
  | { ok: true }
  | {
      ok: false;
      /** Which step failed. */
      failed: 'confirm' | 'cancel-old';
      error: unknown;
      /** Whether the new time was given back (false: it may still be on the books). */
      released: boolean;
    };

/**
 * Moves a visit once the new slot is held: confirm the new one, and only then
 * cancel the old one. If either step fails the new one is released and the
 * old visit is kept, so the patient never ends with none or two.
 */
export async function finishReschedule(oldId: string, newId: string, steps: RescheduleSteps): Promise<RescheduleOutcome> {
  let failed: 'confirm' | 'cancel-old' = 'confirm';
  try {
    await steps.confirm(newId);
    failed = 'cancel-old';
    await steps.cancelOld(oldId);
    return { ok: true };
  } catch (error) {
    let released = true;
    try {
      await steps.release(newId);
    } catch {
      released = false;
    }
    return { ok: false, failed, error, released };
  }
}
