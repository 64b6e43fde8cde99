import type { ConektaWebhookKeyResult, NotificationTestResult, RouterProbeResult } from '../../domain/operations';
import type { PurchaseStatus } from '../../domain/purchase';
import type {
  AdminActionInput,
  AutoConnectReport,
  ExtendInput,
  PaymentHint,
  PurchaseOutcome,
  PurchaseWorkflowInput,
  ReconnectDeviceInput,
} from '../../domain/temporal';

/** How a purchase request ends: the workflow's outcome, no outcome within the wait, or an attempt already finished. */
export type PurchaseStart = { kind: 'outcome'; outcome: PurchaseOutcome } | { kind: 'waiting' } | { kind: 'finished' };

/** An admin action's result, or `in_progress` when the workflow accepted it but has not finished it within the wait. */
export type AdminActionResult<T> = T | 'in_progress';

/**
 * Everything the API asks of Temporal. The implementation (./client.ts) is the only API file holding a Temporal
 * client; route tests may pass a fake.
 */
export interface Workflows {
  /** True when the Temporal frontend answers. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;

  /**
   * Starts the purchase workflow `workflowId` (or attaches to it when this attempt was already submitted) and waits up
   * to `waitMs` for its first decisive outcome.
   */
  startPurchase(workflowId: string, input: PurchaseWorkflowInput, waitMs: number): Promise<PurchaseStart>;
  /** Tells a purchase workflow that its payment changed; false when it is no longer running. */
  notifyPayment(workflowId: string, hint: PaymentHint): Promise<boolean>;

  /** Logs a returning device in as an (already verified) hotspot user of the router. */
  reconnectDevice(routerId: string, device: ReconnectDeviceInput): Promise<AutoConnectReport>;
  /** Connects to a router and reads its identity, version and hotspot profiles (bounded by a short deadline). */
  probeRouter(routerId: string): Promise<RouterProbeResult>;
  /** Sends a test message with the company's Telegram settings, or with the ones stored under test as `testId`. */
  sendTelegramTest(companyId: string, testId?: string): Promise<NotificationTestResult>;
  /** Creates a Conekta webhook key for the company and stores its public key. */
  registerConektaWebhookKey(companyId: string): Promise<ConektaWebhookKeyResult>;
  /** Starts a payment reconciliation run now, as workflow `runId`; it goes on in the worker. */
  startPaymentReconciliation(runId: string): Promise<void>;

  /**
   * Admin actions on a running purchase, by its workflow id (purchases.workflow_id), waiting up to `waitMs` for the
   * workflow to carry them out. Resolve with the new status, or `in_progress` (accepted, still running: a router that is
   * down); reject with a DomainError (CONFLICT when the purchase is no longer running, the action does not apply or
   * another one is in progress).
   */
  refundPurchase(workflowId: string, input: AdminActionInput, waitMs: number): Promise<AdminActionResult<{ status: PurchaseStatus }>>;
  revokePurchase(workflowId: string, input: AdminActionInput, waitMs: number): Promise<AdminActionResult<{ status: PurchaseStatus }>>;
  extendPurchase(workflowId: string, input: ExtendInput, waitMs: number): Promise<AdminActionResult<{ status: PurchaseStatus; expiresAt: string }>>;
}
