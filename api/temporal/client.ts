import { randomUUID } from 'node:crypto';
import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  ServiceError,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MESSAGES } from '../../domain/messages';
import { DomainError, PEOPLE_FACING_CODES, type ErrorCode } from '../../domain/errors';
import type { ConektaWebhookKeyResult, NotificationTestResult, RouterProbeResult } from '../../domain/operations';
import type { PurchaseStatus } from '../../domain/purchase';
import {
  extendUpdate,
  paymentNotifiedSignal,
  purchaseOutcomeUpdate,
  refundUpdate,
  purchaseSearchAttributes,
  revokeUpdate,
  WORKFLOW_TYPES,
  type AdminActionInput,
  type AutoConnectReport,
  type ExtendInput,
  type PaymentHint,
  type PurchaseWorkflowInput,
  type ReconnectDeviceInput,
} from '../../domain/temporal';
import { isErrorCode } from '../errors';
import type { AdminActionResult, PurchaseStart, Workflows } from './workflows';

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
}

const RETRY_ATTEMPTS = 4;
/** Longer than the retries' backoff (about 100 · (1.7 + 1.7² + 1.7³) ms with jitter). */
const RETRY_DRAIN_MS = 1_200;

const NOT_RUNNING = 'La compra ya no está en curso';

/** Short operations must answer an admin quickly; past this the router or gateway is reported unreachable. */
const OPERATION_TIMEOUT_MS = 25_000;
const OPERATION_TIMED_OUT = 'La operación no terminó a tiempo. Intente de nuevo.';
const OPERATION_FAILED = 'No se pudo completar la operación. Intente de nuevo.';

/**
 * The Temporal client behind the API. The connection is lazy, so the API starts (and serves the catalog) while
 * Temporal is still coming up; `/health` says so.
 */
export class TemporalWorkflows implements Workflows {
  private readonly connection: Connection;
  readonly client: Client;
  private closing = false;

  constructor(readonly settings: TemporalSettings) {
    // Few, quick retries: a customer is waiting, and an unreachable Temporal must be reported, not retried for 30 s.
    // None once closing: a retry's timer cannot be cancelled, and on the closed channel it would throw.
    const retry = defaultGrpcRetryOptions({ maxAttempts: RETRY_ATTEMPTS });
    const retryableDecider: typeof retry.retryableDecider = (attempt, status) => !this.closing && retry.retryableDecider(attempt, status);
    this.connection = Connection.lazy({
      address: settings.address,
      connectTimeout: 2_000,
      interceptors: [makeGrpcRetryInterceptor({ ...retry, retryableDecider })],
    });
    this.client = new Client({ connection: this.connection, namespace: settings.namespace });
  }

  async healthy(): Promise<boolean> {
    try {
      const response = await this.connection.withDeadline(Date.now() + 2_000, () =>
        this.connection.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' }),
      );
      return response.status === 1; // SERVING
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    // No retry is scheduled from now on; those already scheduled run out before the channel closes.
    this.closing = true;
    await new Promise((resolve) => setTimeout(resolve, RETRY_DRAIN_MS));
    await this.connection.close();
  }

  async startPurchase(workflowId: string, input: PurchaseWorkflowInput, waitMs: number): Promise<PurchaseStart> {
    const start = new WithStartWorkflowOperation(WORKFLOW_TYPES.purchase, {
      workflowId,
      taskQueue: this.settings.taskQueue,
      args: [input],
      // A second submit of the same attempt joins the running workflow; a finished attempt is never run again.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: purchaseSearchAttributes(input, 'created'),
    });
    // The outcome may take up to waitMs; then the purchase goes on and the client polls its status URL (202). A 503
    // ("nothing was charged") only when the call itself failed: Temporal unreachable, its retries spent. Never from a
    // timer: under load a started purchase can be slow to answer, and it may charge.
    const abort = new AbortController();
    const call = this.connection.withAbortSignal(abort.signal, () =>
      this.client.workflow.executeUpdateWithStart(purchaseOutcomeUpdate, { startWorkflowOperation: start }),
    );
    let timer: NodeJS.Timeout | undefined;
    const elapsed = new Promise<'elapsed'>((resolve) => (timer = setTimeout(() => resolve('elapsed'), waitMs)));
    try {
      const outcome = await Promise.race([call, elapsed]);
      return outcome === 'elapsed' ? { kind: 'waiting' } : { kind: 'outcome', outcome };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return { kind: 'finished' };
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof WorkflowNotFoundError) return { kind: 'finished' };
      throw unavailable(error);
    } finally {
      clearTimeout(timer);
      abort.abort();
      call.catch(() => undefined); // settled, or abandoned after the wait: its late end is not news
    }
  }

  async notifyPayment(workflowId: string, hint: PaymentHint): Promise<boolean> {
    try {
      await this.client.workflow.getHandle(workflowId).signal(paymentNotifiedSignal, hint);
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw unavailable(error);
    }
  }

  reconnectDevice(routerId: string, device: ReconnectDeviceInput): Promise<AutoConnectReport> {
    return this.operation(WORKFLOW_TYPES.reconnectDevice, `reconnect:${routerId}`, [routerId, device], 'ROUTER_UNREACHABLE');
  }

  probeRouter(routerId: string): Promise<RouterProbeResult> {
    return this.operation(WORKFLOW_TYPES.routerProbe, `router-probe:${routerId}`, [routerId], 'ROUTER_UNREACHABLE');
  }

  sendTelegramTest(companyId: string, testId?: string): Promise<NotificationTestResult> {
    return this.operation(WORKFLOW_TYPES.telegramTest, `telegram-test:${companyId}`, [companyId, testId ?? null], 'SERVICE_UNAVAILABLE');
  }

  registerConektaWebhookKey(companyId: string): Promise<ConektaWebhookKeyResult> {
    return this.operation(WORKFLOW_TYPES.conektaWebhookKey, `conekta-webhook-key:${companyId}`, [companyId], 'PAYMENT_GATEWAY_UNAVAILABLE');
  }

  async startPaymentReconciliation(runId: string): Promise<void> {
    try {
      await this.client.workflow.start(WORKFLOW_TYPES.reconcilePayments, { taskQueue: this.settings.taskQueue, workflowId: runId, args: [] });
    } catch (error) {
      throw unavailable(error);
    }
  }

  refundPurchase(workflowId: string, input: AdminActionInput, waitMs: number): Promise<AdminActionResult<{ status: PurchaseStatus }>> {
    return this.update(workflowId, waitMs, (handle) => handle.startUpdate(refundUpdate, { args: [input], waitForStage: WorkflowUpdateStage.ACCEPTED }));
  }

  revokePurchase(workflowId: string, input: AdminActionInput, waitMs: number): Promise<AdminActionResult<{ status: PurchaseStatus }>> {
    return this.update(workflowId, waitMs, (handle) => handle.startUpdate(revokeUpdate, { args: [input], waitForStage: WorkflowUpdateStage.ACCEPTED }));
  }

  extendPurchase(workflowId: string, input: ExtendInput, waitMs: number): Promise<AdminActionResult<{ status: PurchaseStatus; expiresAt: string }>> {
    return this.update(workflowId, waitMs, (handle) => handle.startUpdate(extendUpdate, { args: [input], waitForStage: WorkflowUpdateStage.ACCEPTED }));
  }

  /**
   * Runs a short operation and waits for its result. A failed operation is reported with the code its activity failed
   * with (the message too when it was written for people); one that did not finish in time, with `timedOutCode`: the
   * outside system it waited for did not answer.
   */
  private async operation<T>(type: string, idPrefix: string, args: unknown[], timedOutCode: ErrorCode): Promise<T> {
    try {
      return await this.client.workflow.execute<(...a: unknown[]) => Promise<T>>(type, {
        taskQueue: this.settings.taskQueue,
        workflowId: `${idPrefix}:${randomUUID()}`,
        args,
        workflowExecutionTimeout: OPERATION_TIMEOUT_MS,
      });
    } catch (error) {
      if (!(error instanceof WorkflowFailedError)) throw unavailable(error);
      const failure = applicationFailure(error);
      if (!failure || !isErrorCode(failure.type ?? undefined)) throw new DomainError(timedOutCode, OPERATION_TIMED_OUT);
      const code = failure.type as ErrorCode;
      throw new DomainError(code, PEOPLE_FACING_CODES.has(code) ? failure.message : OPERATION_FAILED);
    }
  }

  /**
   * Runs an admin update: refused at once when it does not apply (the workflow's validator), then waited for up to
   * `waitMs`. An accepted action goes on in the workflow after that (a router that is down is retried until it returns),
   * so a longer wait answers `in_progress` instead of holding the request. Update failures become domain errors: the
   * workflow rejects with an ApplicationFailure typed by an ErrorCode.
   */
  private async update<T>(
    workflowId: string,
    waitMs: number,
    start: (handle: WorkflowHandle) => Promise<{ result(): Promise<T> }>,
  ): Promise<AdminActionResult<T>> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const accepted = await start(this.client.workflow.getHandle(workflowId));
      const result = accepted.result().then((value) => ({ done: true as const, value }));
      result.catch(() => undefined); // an outcome after the wait is the workflow's to record, not this request's
      const elapsed = new Promise<{ done: false }>((resolve) => (timer = setTimeout(() => resolve({ done: false }), waitMs)));
      const outcome = await Promise.race([result, elapsed]);
      return outcome.done ? outcome.value : 'in_progress';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new DomainError('CONFLICT', NOT_RUNNING);
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
        const { type, message } = error.cause;
        // The workflow refuses with an ErrorCode; any other type is Temporal's own: the workflow closed before it
        // carried the action out.
        if (isErrorCode(type ?? undefined)) throw new DomainError(type as ErrorCode, message);
        throw new DomainError('CONFLICT', NOT_RUNNING);
      }
      throw unavailable(error);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The ApplicationFailure at the root of a failed workflow (an activity's, typed by our ErrorCode), if any. */
function applicationFailure(error: unknown): ApplicationFailure | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ApplicationFailure) return cause;
  }
  return undefined;
}

/** Temporal unreachable (its client retries spent) is a 503 the client may retry, never a 500. */
function unavailable(error: unknown): unknown {
  return error instanceof ServiceError ? new DomainError('SERVICE_UNAVAILABLE', MESSAGES.serviceUnavailable) : error;
}
