import { Client, Connection } from '@temporalio/client';
import type { PurchaseWorkflows } from './workflow-client';

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
}

/**
 * The Temporal client behind the API. The connection is lazy, so the API starts (and serves the catalog) while
 * Temporal is still coming up; `/health` says so.
 */
export class TemporalPurchaseWorkflows implements PurchaseWorkflows {
  private readonly connection: Connection;
  readonly client: Client;

  constructor(readonly settings: TemporalSettings) {
    this.connection = Connection.lazy({ address: settings.address, connectTimeout: 2_000 });
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
    await this.connection.close();
  }
}
