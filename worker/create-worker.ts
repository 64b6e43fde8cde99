import { Client, Connection, ScheduleAlreadyRunning } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { RECONCILE_SCHEDULE_ID, SEARCH_ATTRIBUTES, WORKFLOW_TYPES } from '../domain/temporal';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities/deps';

export interface PurchaseWorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt workflow bundle (production, tests that start many workers); otherwise bundled from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  tuning?: Pick<
    WorkerOptions,
    | 'maxConcurrentActivityTaskExecutions'
    | 'maxConcurrentWorkflowTaskExecutions'
    | 'maxCachedWorkflows'
    | 'workflowTaskPollerBehavior'
    | 'activityTaskPollerBehavior'
  >;
}

/**
 * Workflows kept in memory between their tasks. A purchase is busy for a moment at its sale and again at its expiry,
 * and asleep for hours or days in between: caching sleeping purchases made the worker's memory grow with every sale
 * (the SDK's default is sized from the heap limit, ~2,300 here). Beyond this many, the least recently used is evicted
 * and replayed from its history when it wakes, which costs CPU at expiry instead of memory meanwhile.
 */
export const CACHED_WORKFLOWS = 250;

/**
 * What the namespace needs before purchases run: our search attributes (so purchases can be filtered in the Web UI)
 * and the reconciliation schedule. Idempotent: every worker runs it at start.
 */
export async function prepareNamespace(address: string, namespace: string, taskQueue: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await ensureSearchAttributes(connection, namespace);
    await ensureReconcileSchedule(new Client({ connection, namespace }), taskQueue);
  } finally {
    await connection.close();
  }
}

async function ensureReconcileSchedule(client: Client, taskQueue: string): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: RECONCILE_SCHEDULE_ID,
      spec: { intervals: [{ every: '15 minutes' }] },
      action: { type: 'startWorkflow', workflowType: WORKFLOW_TYPES.reconcile, taskQueue, args: [] },
      policies: { overlap: 'SKIP', catchupWindow: '1 minute' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}

async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.values(SEARCH_ATTRIBUTES).filter((key) => !(key.name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, 2 /* INDEXED_VALUE_TYPE_KEYWORD */])),
  });
}

/** The Temporal worker of this service: every workflow, every activity, one task queue. */
export async function createPurchaseWorker(options: PurchaseWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities(options.deps),
    maxConcurrentActivityTaskExecutions: 200,
    maxConcurrentWorkflowTaskExecutions: 100,
    maxCachedWorkflows: CACHED_WORKFLOWS,
    // Pollers follow the backlog: with the fixed default (2 of 10 workflow pollers on the shared queue) new purchases
    // waited seconds behind the sticky tasks of running ones under load.
    workflowTaskPollerBehavior: { type: 'autoscaling' },
    activityTaskPollerBehavior: { type: 'autoscaling' },
    ...options.tuning,
  });
  return { worker, connection };
}
