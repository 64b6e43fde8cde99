import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { RouterProbeResult } from '../../domain/operations';
import type { TemporalSettings } from '../../api/temporal/client';
import { purchaseSearchAttributes, WORKFLOW_TYPES, type PurchaseWorkflowInput } from '../../domain/temporal';

// Protobuf enum values (temporal.api.enums.v1), the proto package being only a dependency of the SDK's.
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE_WORKFLOW = 1;

/** A worker long-polls for up to a minute: a poll older than this means it has gone. */
const RECENT_POLL_SECONDS = 90;

/** How long a router's profiles may take to read (the probe's own timeouts are shorter). */
const PROBE_TIMEOUT = '30 seconds';

/**
 * What the import asks of Temporal: the import never talks to a router itself. The worker reads router profiles
 * (the probe an admin uses) and runs the adopted customers' purchase workflows.
 */
export class ImportTemporal {
  private constructor(
    private readonly connection: Connection,
    private readonly client: Client,
    private readonly settings: TemporalSettings,
  ) {}

  static async connect(settings: TemporalSettings): Promise<ImportTemporal> {
    const connection = await Connection.connect({ address: settings.address, connectTimeout: 5_000 });
    return new ImportTemporal(connection, new Client({ connection, namespace: settings.namespace }), settings);
  }

  /**
   * Whether a worker polls the task queue now: without one, probes and adoptions would wait forever. Temporal lists
   * the pollers of the last minutes, so only a recent poll counts (an idle worker polls again at least every minute).
   */
  async workerPolling(): Promise<boolean> {
    const response = await this.connection.workflowService.describeTaskQueue({
      namespace: this.settings.namespace,
      taskQueue: { name: this.settings.taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
      taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
    });
    const since = Date.now() / 1000 - RECENT_POLL_SECONDS;
    return (response.pollers ?? []).some((poller) => {
      const seconds = poller.lastAccessTime?.seconds;
      return (typeof seconds === 'number' ? seconds : (seconds?.toNumber() ?? 0)) >= since;
    });
  }

  /** The router's identity and hotspot profiles, read by the worker; a failure is a result. */
  async probeRouter(routerId: string): Promise<RouterProbeResult> {
    try {
      return await this.client.workflow.execute<(id: string) => Promise<RouterProbeResult>>(WORKFLOW_TYPES.routerProbe, {
        taskQueue: this.settings.taskQueue,
        workflowId: `import-probe:${routerId}:${randomUUID()}`,
        args: [routerId],
        workflowExecutionTimeout: PROBE_TIMEOUT,
      });
    } catch {
      return { ok: false, code: 'ROUTER_UNREACHABLE', message: 'the worker did not read the router in time' };
    }
  }

  /**
   * Starts an adopted customer's purchase workflow, once: the id is the purchase's, and a second start (a re-run)
   * finds it, running or finished, and starts nothing. Returns whether this call started it.
   */
  async startAdopted(workflowId: string, input: PurchaseWorkflowInput): Promise<boolean> {
    try {
      await this.client.workflow.start(WORKFLOW_TYPES.purchase, {
        taskQueue: this.settings.taskQueue,
        workflowId,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: purchaseSearchAttributes(input, 'active'),
      });
      return true;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
