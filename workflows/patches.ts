import { patched } from '@temporalio/workflow';

/**
 * The patch a purchase started by this release takes every change below under: one marker (and one
 * `TemporalChangeVersion` search attribute upsert) in its history instead of one per change, each a command the
 * server and the worker process on every sale. A purchase of an earlier release answers by its own markers.
 */
const RELEASE_PATCH = 'release-1.3';

/** Changes to the commands of running purchases, each taken only by workflows that reach it with this code. */
export const PATCHES = {
  /** A reversal notice that arrived between the charge and the activation is acted on once active. */
  hintsWhilePaidKept: 'reversal-hints-while-paid-kept',
  /** The status lookup after a reversal notice is retried until the gateway answers (bounded by the expiry). */
  reversalLookupUntilAnswered: 'reversal-lookup-until-answered',
  /** A paid purchase for a device whose running purchase has the same plan adds its time to it. */
  stackOntoRunningPurchase: 'stack-onto-running-purchase',
  /** An extension (an admin's, or stacked time) changes the router user's limit-uptime too. */
  extensionOnRouter: 'extension-on-router',
  /** The enable step records the activation (and the router's id of the user) itself. */
  enableRecordsActivation: 'enable-records-activation',
  /** Passing statuses are written with the next status change instead of each by a local activity of its own. */
  passingStatusesWrittenLater: 'passing-statuses-written-later',
  /** The notices of a charge's outcome are scheduled only when the company has an operator channel. */
  chargeNoticesOnlyWithChannel: 'charge-notices-only-with-channel',
  /**
   * A status change's operator notice is queued by the statement that writes the change (the sale's, by enable's
   * activation), instead of by an activity of its own.
   */
  noticesQueuedWithStatus: RELEASE_PATCH,
} as const;

/** Whether this purchase takes `patch`: always when started by this release, else as its history says. */
export function takes(patch: (typeof PATCHES)[keyof typeof PATCHES]): boolean {
  return patched(RELEASE_PATCH) || patched(patch);
}
