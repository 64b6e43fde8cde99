import {
  ApplicationFailure,
  condition,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PaymentOutcome } from '../domain/payment';
import { nextAction, type PurchaseStatus } from '../domain/purchase';
import {
  extendUpdate,
  mayReversePayment,
  paymentNotifiedSignal,
  purchaseOutcomeUpdate,
  purchaseStateQuery,
  refundUpdate,
  reserveHalfSeconds,
  revokeUpdate,
  SEARCH_ATTRIBUTES,
  stackedAccessEndedSignal,
  stackTimeUpdate,
  type StackTarget,
  type StackTimeInput,
  type AccessTerms,
  type ActivationInput,
  type AdminActionInput,
  type OperatorNotice,
  type PassedStatus,
  type PurchaseOutcome,
  type PurchaseState,
  type PurchaseWorkflowInput,
  type RecordEventInput,
  type RecordStatusInput,
} from '../domain/temporal';
import { activityFailure, failureLog, failureType } from './failures';
import {
  AUTO_CONNECT,
  CHARGE_FIRST_TRY,
  firstTry,
  NOTIFY,
  PAYMENT_CHARGE,
  PAYMENT_FOLLOW_UP,
  PAYMENT_STATUS,
  ROUTER_CLEANUP,
  ROUTER_FIRST_TRY,
  routerProvision,
  routerReserve,
  STACK_TIME,
  STORE,
} from './options';
import { PATCHES, takes } from './patches';

/** An admin's refund, revocation or extension, queued until the held access takes it up. */
export type AdminRequest =
  | { kind: 'refund' | 'revoke'; input: AdminActionInput; done?: PurchaseStatus; refused?: string }
  | { kind: 'extend'; input: AdminActionInput & { seconds: number }; done?: PurchaseStatus; refused?: string }
  // Another purchase's time added (or taken back when that purchase is reversed): queued like an admin's extension.
  | { kind: 'stack'; input: StackTimeInput; done?: PurchaseStatus; refused?: string };

/**
 * What the steps of one purchase share: its status and answer, the messages it receives (the HTTP request's wait for
 * the outcome, the state query, webhook hints, admin actions), its activities with their policies, and its
 * bookkeeping. Constructing it registers the message handlers, so it must happen before the workflow's first await.
 */
export class PurchaseRun {
  readonly purchaseId: string;
  readonly timing: PurchaseWorkflowInput['timing'];
  /** Set when the payment was settled before the workflow (a voucher sold at the counter): nothing to charge. */
  readonly settled: PurchaseWorkflowInput['settled'];
  status: PurchaseStatus;
  /** Access ends at this workflow time (ms), once the purchase is active. */
  expiresAt: number | undefined;
  /**
   * Webhook notifications: any of them wakes the wait for a pending payment; an active purchase only asks the gateway
   * about those that may mean a refund or a charge-back (the capture's own notice usually lands after the sale).
   */
  hints = 0;
  reversalHints = 0;
  /** Reversal notices counted when the charge was approved: any after it (while the user is enabled) is acted on once active. */
  reversalHintsWhenPaid: number | undefined;
  /** One admin action at a time: it stays first here until done, and any other is refused meanwhile. */
  readonly admin: AdminRequest[] = [];
  /**
   * Set when this purchase's time was added to the device's running purchase: it has no user of its own, so its end
   * takes that time back instead of removing access.
   */
  stackedOnto: StackTarget | undefined;
  /**
   * False when the reservation found nothing this purchase could stack onto (no device MAC or plan): the lookup after
   * the payment is skipped. Undefined in histories whose reservation did not say: looked up, as they were.
   */
  stackable: boolean | undefined;
  /**
   * The router's id of the reserved user, handed to enable, which writes it with the activation. Undefined when the
   * reservation did not return one (an earlier release stored it in the row).
   */
  routerUserRef: string | undefined;
  /**
   * False when the charge found that the company's operators are told nothing (no operator channel): the notices of
   * its outcome are not scheduled (see `tell`). Undefined when not said (a voucher, or an earlier release's history).
   */
  operatorsNotified: boolean | undefined;
  /** What enable needs of the purchase, from the reservation (absent in an earlier release's history). */
  terms: AccessTerms | undefined;
  /** The reservation replaced, or may have, the credentials the row was written with: the API must read them back. */
  credentialsReplaced: boolean | undefined;
  /** Purchases whose time was stacked onto this one (purchase id → workflow id): told if this access ends early. */
  readonly stacks = new Map<string, string>();
  /** The purchase this one's time was stacked onto ended early, taking that time with it. */
  stackedAccessEnded = false;

  // The first try of each step every purchase takes runs locally; see `firstLocally`.
  readonly reserveStep: StepCall;
  readonly chargeStep: StepCall;
  readonly enableStep: StepCall;
  readonly expireStep: StepCall;
  /** Removing the user or its access: retried without end, so a router that is down is cleaned when it returns. */
  readonly cleanup = proxyActivities<Activities>(ROUTER_CLEANUP);
  readonly device = proxyActivities<Activities>(AUTO_CONNECT);
  /** Refunds and cancellations: retried until the gateway answers. */
  readonly followUp = proxyActivities<Activities>(PAYMENT_FOLLOW_UP);
  readonly paymentStatus = proxyActivities<Activities>(PAYMENT_STATUS);
  /** Stacking time onto the device's running purchase, and the router user's limits after a change of time. */
  readonly stacking = proxyActivities<Activities>(STACK_TIME);
  /** Database reads on the purchase's path (no server round trip). */
  readonly lookup = proxyLocalActivities<Activities>(STORE);

  private readonly store = proxyLocalActivities<Activities>(STORE);
  private readonly notify = proxyActivities<Activities>(NOTIFY);
  private outcome: PurchaseOutcome | undefined;
  /** The status search attribute, for operators filtering purchases in the Web UI (the API starts it). */
  private published: PurchaseStatus;
  private acceptingAdmin = true;
  /** Passing statuses recorded but not written yet: written with the next status change (see `record`). */
  private unwritten: PassedStatus[] = [];
  /** The notice handed to the enable step with the activation it records (see `activationInput`). */
  private activationNotice: OperatorNotice | undefined;
  /** Notices queued by the statement of the change they tell about: `tell` does not send them again. */
  private readonly queued = new Set<OperatorNotice>();

  constructor(input: PurchaseWorkflowInput) {
    this.purchaseId = input.purchaseId;
    this.timing = input.timing;
    this.settled = input.settled;
    // A customer imported while active starts active; its search attribute was started so too.
    this.status = this.published = input.adopted ? 'active' : 'created';
    this.expiresAt = input.adopted ? Date.parse(input.adopted.expiresAt) : undefined;

    // A step that falls back to the durable activity may last: its status is written and published first.
    const publish = () => this.writePassed().then(() => this.publish());
    // The customer's budget for reaching the router is shared by the first try and the retries after it.
    const reserveBudgetSeconds = reserveHalfSeconds(input.timing);
    this.reserveStep = firstLocally(firstTry(`${reserveBudgetSeconds} seconds`), routerReserve(reserveBudgetSeconds), publish);
    this.chargeStep = firstLocally(CHARGE_FIRST_TRY, PAYMENT_CHARGE, publish);
    this.enableStep = firstLocally(ROUTER_FIRST_TRY, routerProvision(input.timing.provisioningDeadlineSeconds), publish);
    this.expireStep = firstLocally(ROUTER_FIRST_TRY, ROUTER_CLEANUP, publish);
    this.handleMessages();
  }

  /**
   * Records a status change (its row, its history); bookkeeping that fails is logged and the purchase goes on. A
   * passing status (see PASSING_STATUSES) is written with the next change, by the same statement, each with its own
   * event: a purchase that goes well writes `charging`, `paid` and `active` at once, as its answer is given. One that
   * waits (a pending payment, a step retried durably) has them written before it waits. The operators' `notice` of
   * the change is queued by the same statement (in histories of earlier releases, told by an activity after it).
   */
  async record(to: PurchaseStatus, change: Omit<RecordStatusInput, 'purchaseId' | 'to' | 'passed' | 'notice'> = {}, notice?: OperatorNotice): Promise<void> {
    if (PASSING_STATUSES.has(to) && takes(PATCHES.passingStatusesWrittenLater)) {
      this.unwritten.push({ to, ...change });
      this.status = to;
      return;
    }
    const told = notice !== undefined && takes(PATCHES.noticesQueuedWithStatus) && this.tells(notice) ? notice : undefined;
    const written = await this.write({ to, ...change }, told);
    if (told && written) this.queued.add(told);
    this.status = to;
    if (!PASSING_STATUSES.has(to)) this.publish();
    if (notice !== undefined) this.tell(notice);
  }

  /**
   * What the enable step needs to record the activation itself: the passing statuses not written yet (they stay
   * here until `recordedByStep`, and are written with the workflow's own change if the step does not record it).
   */
  activationInput(): ActivationInput {
    this.activationNotice = takes(PATCHES.noticesQueuedWithStatus) && this.tells('approved') ? 'approved' : undefined;
    return {
      passed: [...this.unwritten],
      routerUserRef: this.routerUserRef ?? null,
      ...(this.terms ? { terms: this.terms } : {}),
      ...(this.activationNotice ? { notice: this.activationNotice } : {}),
    };
  }

  /**
   * A status change a step's activity wrote itself, with the passing statuses it was handed: the workflow's side is
   * left (its status, its search attribute).
   */
  recordedByStep(to: PurchaseStatus): void {
    this.unwritten = [];
    if (this.activationNotice) this.queued.add(this.activationNotice);
    this.status = to;
    this.publish();
  }

  /** Writes the passing statuses not written yet, if any. */
  private async writePassed(): Promise<void> {
    const last = this.unwritten.pop();
    if (last) await this.write(last);
  }

  /**
   * Writes `step` and, before it in the same statement, the passing statuses not written yet (and the change's
   * `notice`); false when the write was lost.
   */
  private async write(step: PassedStatus, notice?: OperatorNotice): Promise<boolean> {
    const passed = this.unwritten.splice(0);
    return this.bookkeep(`status ${step.to}`, () =>
      this.store.recordPurchaseStatus({ purchaseId: this.purchaseId, ...step, ...(passed.length > 0 ? { passed } : {}), ...(notice ? { notice } : {}) }),
    );
  }

  /** Records an event of the purchase's history (after the statuses it follows); false when it could not be recorded. */
  async recordEvent(input: Omit<RecordEventInput, 'purchaseId'>): Promise<boolean> {
    await this.writePassed();
    return this.bookkeep(input.type, () => this.store.recordPurchaseEvent({ purchaseId: this.purchaseId, ...input }));
  }

  /** Refunds; a refusal (nothing refundable, revoked credentials) is recorded for an operator instead of looping. */
  async refundOrRecord(reason: string): Promise<PaymentOutcome | undefined> {
    // A payment settled before the workflow (a voucher sold at the counter) holds no money at a gateway.
    if (this.settled) return undefined;
    try {
      return await this.followUp.refundPayment(this.purchaseId);
    } catch (error) {
      log.error('refund refused by the gateway; an operator must act', { purchaseId: this.purchaseId, ...failureLog(error) });
      await this.recordEvent({ type: 'refund_failed', detail: { reason, code: failureType(error) ?? 'UNKNOWN' } });
      return undefined;
    }
  }

  /** The first decisive outcome answers the waiting HTTP request; later ones change nothing there. */
  answer(value: PurchaseOutcome): void {
    this.outcome ??= value;
  }

  /**
   * Tells the company's operators, unless the statement of the change it tells about queued the notice already.
   * Notifications never hold a purchase back: started, not awaited, failures only logged.
   */
  tell(notice: OperatorNotice): void {
    if (this.queued.has(notice) || !this.tells(notice)) return;
    void this.notify
      .notifyOperator(this.purchaseId, notice)
      .catch((error: unknown) => log.warn('operator notification failed', { purchaseId: this.purchaseId, notice, ...failureLog(error) }));
  }

  /**
   * Whether the operators are told `notice` at all: the notices of the charge's outcome are not when the charge found
   * no operator channel (a read saved per sale); later ones ask the company again.
   */
  private tells(notice: OperatorNotice): boolean {
    return !(this.operatorsNotified === false && CHARGE_NOTICES.has(notice) && takes(PATCHES.chargeNoticesOnlyWithChannel));
  }

  /** No admin action is taken up any more: one queued or arriving from now on is refused. */
  closeAdmin(): void {
    this.acceptingAdmin = false;
  }

  /** The workflow's result, as the purchase ends. */
  end(): PurchaseState {
    this.closeAdmin();
    return { status: this.status, expiresAt: this.expiresAtIso(), nextAction: 'none' };
  }

  private expiresAtIso(): string | undefined {
    return this.expiresAt ? iso(this.expiresAt) : undefined;
  }

  private publish(): void {
    if (this.published === this.status) return;
    this.published = this.status;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: this.status }]);
  }

  /**
   * Bookkeeping never holds a purchase back: a write the database refuses for good, or that STORE's bound sees fail,
   * is logged as an error and the purchase goes on — expiry, refunds and revocations do not wait behind their history.
   */
  private async bookkeep(what: string, write: () => Promise<void>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (isCancellation(error)) throw error;
      log.error('purchase record lost', { purchaseId: this.purchaseId, what, ...failureLog(error) });
      return false;
    }
  }

  private handleMessages(): void {
    setHandler(purchaseOutcomeUpdate, async () => {
      await condition(() => this.outcome !== undefined);
      return this.outcome!;
    });
    setHandler(purchaseStateQuery, () => ({
      status: this.status,
      expiresAt: this.expiresAtIso(),
      nextAction: nextAction(this.status, this.outcome?.redirectUrl),
    }));
    setHandler(paymentNotifiedSignal, (hint) => {
      this.hints += 1;
      if (mayReversePayment(hint)) this.reversalHints += 1;
    });
    const validator = (_action: AdminActionInput) => this.requireActive();
    setHandler(refundUpdate, async (action) => ({ status: await this.enqueue({ kind: 'refund', input: action }) }), { validator });
    setHandler(revokeUpdate, async (action) => ({ status: await this.enqueue({ kind: 'revoke', input: action }) }), { validator });
    setHandler(
      stackTimeUpdate,
      async (input) => {
        const done = await this.enqueue({ kind: 'stack', input });
        return { status: done, expiresAt: iso(this.expiresAt!) };
      },
      {
        validator: (input) => {
          this.requireActive();
          if (this.stackedOnto) throw conflict('CONFLICT', 'El tiempo de esta compra ya se sumó a otra');
          if (!Number.isInteger(input.seconds) || input.seconds === 0 || Math.abs(input.seconds) > 366 * 86_400) {
            throw conflict('VALIDATION_FAILED', 'Tiempo inválido');
          }
        },
      },
    );
    setHandler(stackedAccessEndedSignal, () => {
      if (this.stackedOnto) this.stackedAccessEnded = true;
    });
    setHandler(
      extendUpdate,
      async (action) => {
        const done = await this.enqueue({ kind: 'extend', input: action });
        return { status: done, expiresAt: iso(this.expiresAt!) };
      },
      {
        validator: (action) => {
          this.requireActive();
          if (!Number.isInteger(action.seconds) || action.seconds <= 0 || action.seconds > 366 * 86_400) {
            throw conflict('VALIDATION_FAILED', 'Extensión inválida');
          }
        },
      },
    );
  }

  // A refund waiting for a router that is down would otherwise gather requests without bound.
  private requireActive(): void {
    if (this.status !== 'active') throw conflict('CONFLICT', `La compra está en estado ${this.status}`);
    if (this.admin.length > 0) throw conflict('CONFLICT', 'Ya hay una acción en curso para esta compra');
  }

  private async enqueue(request: AdminRequest): Promise<PurchaseStatus> {
    this.admin.push(request);
    await condition(() => request.done !== undefined || !this.acceptingAdmin);
    if (request.done === undefined) throw conflict('CONFLICT', `La compra terminó en estado ${this.status}`);
    if (request.refused) throw conflict('CONFLICT', request.refused);
    return request.done;
  }
}

/** An admin action refused: final, the update's caller gets its message. */
function conflict(type: 'CONFLICT' | 'VALIDATION_FAILED', message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/**
 * Statuses a purchase that goes well passes through within one workflow task: not worth a visibility write or a
 * database write each. They are written with the next status change, or published and written when their step falls
 * back to the durable activity, i.e. when they may last.
 */
const PASSING_STATUSES: ReadonlySet<PurchaseStatus> = new Set(['charging', 'paid']);

/** The notices about the charge's own outcome, told right after it: the charge's reading of the company holds. */
const CHARGE_NOTICES: ReadonlySet<OperatorNotice> = new Set(['approved', 'declined']);

/** Steps that run many times a second (each purchase's path to its outcome, each expiry): worth a local first try. */
type Step = 'reserveHotspotUser' | 'chargePayment' | 'enableHotspotUser' | 'revokeHotspotAccess';
type StepCall = <K extends Step>(step: K, ...args: Parameters<Activities[K]>) => Promise<Awaited<ReturnType<Activities[K]>>>;

/**
 * A step's first try as a local activity (see options.ts `firstTry`), then, after a failure that a retry may cure (a
 * timeout, an unreachable router or gateway), the durable activity with its full policy, `beforeDurable` first.
 * Final failures (by the durable policy) are final either way. The activities are idempotent, so the durable one may
 * repeat the first try.
 */
function firstLocally(first: LocalActivityOptions, durable: ActivityOptions, beforeDurable: () => Promise<void>): StepCall {
  const local: Pick<Activities, Step> = proxyLocalActivities<Activities>(first);
  const remote: Pick<Activities, Step> = proxyActivities<Activities>(durable);
  const finalTypes = durable.retry?.nonRetryableErrorTypes ?? [];
  const call = (activities: Pick<Activities, Step>, step: Step, args: unknown[]) => (activities[step] as (...args: unknown[]) => Promise<unknown>)(...args);
  return async <K extends Step>(step: K, ...args: Parameters<Activities[K]>): Promise<Awaited<ReturnType<Activities[K]>>> => {
    try {
      return (await call(local, step, args)) as Awaited<ReturnType<Activities[K]>>;
    } catch (error) {
      const failure = activityFailure(error);
      const final = failure !== undefined && (failure.nonRetryable || finalTypes.includes(failure.type ?? ''));
      if (isCancellation(error) || final) throw error;
      await beforeDurable();
      return (await call(remote, step, args)) as Awaited<ReturnType<Activities[K]>>;
    }
  };
}

/** Workflow time (deterministic): Date.now() inside a workflow is the time of the current workflow task. */
export const iso = (ms: number) => new Date(ms).toISOString();
export const now = () => iso(Date.now());
