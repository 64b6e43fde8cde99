/**
 * What the API asks of the purchase workflows. The Temporal implementation lives in ./temporal-workflows.ts, the only
 * API file holding a Temporal client; tests may substitute it.
 */
export interface PurchaseWorkflows {
  /** True when the Temporal frontend answers. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}
