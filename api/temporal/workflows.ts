import type { ConektaWebhookKeyResult, NotificationTestResult, RouterProbeResult } from '../../domain/operations';
import type { PurchaseStatus } from '../../domain/purchase';
import type { AdminActionInput, AutoConnectReport, ExtendInput, ReconnectDeviceInput } from '../../domain/temporal';

/**
 * Everything the API asks of Temporal. The implementation (./client.ts) is the only API file holding a Temporal
 * client; route tests may pass a fake.
 */
export interface Workflows {
  /** True when the Temporal frontend answers. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;

  /** Logs a returning device in as an (already verified) hotspot user of the router. */
  reconnectDevice(routerId: string, device: ReconnectDeviceInput): Promise<AutoConnectReport>;
  /** Connects to a router and reads its identity, version and hotspot profiles (bounded by a short deadline). */
  probeRouter(routerId: string): Promise<RouterProbeResult>;
  /** Sends a test message with the company's Telegram settings, or with the given ones. */
  sendTelegramTest(companyId: string, override?: { botToken?: string; chatId?: string }): Promise<NotificationTestResult>;
  /** Creates a Conekta webhook key for the company and stores its public key. */
  registerConektaWebhookKey(companyId: string): Promise<ConektaWebhookKeyResult>;

  /**
   * Admin actions on a running purchase, by its workflow id (purchases.workflow_id). Resolve with the new status;
   * reject with a DomainError (CONFLICT when the purchase is no longer running or the action does not apply).
   */
  refundPurchase(workflowId: string, input: AdminActionInput): Promise<{ status: PurchaseStatus }>;
  revokePurchase(workflowId: string, input: AdminActionInput): Promise<{ status: PurchaseStatus }>;
  extendPurchase(workflowId: string, input: ExtendInput): Promise<{ status: PurchaseStatus; expiresAt: string }>;
}
