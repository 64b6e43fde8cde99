import { Client, Connection, ScheduleAlreadyRunning } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { PAYMENTS_RECONCILE_SCHEDULE_ID, RECONCILE_SCHEDULE_ID, SEARCH_ATTRIBUTES, WORKFLOW_TYPES } from '../domain/temporal';
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

/** Longest wait for activities in flight when the worker stops: a RouterOS call or a gateway call ends well within it. */
const SHUTDOWN_GRACE = '20 seconds';

/** How often the payment reconciliation runs when the configuration does not say (PAYMENT_RECONCILE_EVERY_MINUTES). */
const PAYMENT_RECONCILE_EVERY_MINUTES = 30;

/**
 * What the namespace needs before purchases run: our search attributes (so purchases can be filtered in the Web UI)
 * and the reconciliation schedules (routers every 15 minutes; payments every `paymentReconcileEveryMinutes`). Every
 * worker runs it at start, so it must hold when several start at once: each step converges on the same state
 * whoever gets there first.
 */
export async function prepareNamespace(
  address: string,
  namespace: string,
  taskQueue: string,
  paymentReconcileEveryMinutes = PAYMENT_RECONCILE_EVERY_MINUTES,
): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await ensureSearchAttributes(connection, namespace);
    const client = new Client({ connection, namespace });
    await ensureSchedule(client, taskQueue, RECONCILE_SCHEDULE_ID, WORKFLOW_TYPES.reconcile, 15);
    await ensureSchedule(client, taskQueue, PAYMENTS_RECONCILE_SCHEDULE_ID, WORKFLOW_TYPES.reconcilePayments, paymentReconcileEveryMinutes);
  } finally {
    await connection.close();
  }
}

/**
 * Creates a schedule unless it exists (the server keeps schedule ids unique: the second worker is told it exists).
 * An existing one is pointed at this worker's task queue and interval if it differs: after TEMPORAL_TASK_QUEUE
 * changed, reconciliation would otherwise start on a queue nobody polls.
 */
async function ensureSchedule(client: Client, taskQueue: string, scheduleId: string, workflowType: string, everyMinutes: number): Promise<void> {
  const every = everyMinutes * 60_000;
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every }] },
      action: { type: 'startWorkflow', workflowType, taskQueue, args: [] },
      policies: { overlap: 'SKIP', catchupWindow: '1 minute' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    const handle = client.schedule.getHandle(scheduleId);
    const current = await handle.describe();
    const interval = current.spec.intervals?.[0]?.every;
    if (current.action.taskQueue === taskQueue && interval === every) return;
    await handle.update((previous) => ({ ...previous, spec: { ...previous.spec, intervals: [{ every }] }, action: { ...previous.action, taskQueue } }));
  }
}

const KEYWORD = 2; // INDEXED_VALUE_TYPE_KEYWORD

/**
 * Registers the search attributes that are missing. Two workers may both find one missing and both add it: depending
 * on its visibility store the server accepts the second request or refuses it (already exists), so a refusal is
 * followed by another look, and only an attribute still missing after a few rounds stops the worker. An attribute
 * that exists with another type than Keyword would make every purchase's search attributes fail: refused at start.
 */
async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  for (let round = 1; ; round++) {
    const existing = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
    const keys = Object.values(SEARCH_ATTRIBUTES);
    const mistyped = keys.filter((key) => key.name in existing && existing[key.name] !== KEYWORD).map((key) => key.name);
    if (mistyped.length > 0) {
      throw new Error(`search attributes ${mistyped.join(', ')} exist in namespace ${namespace} with another type than Keyword`);
    }
    const missing = keys.filter((key) => !(key.name in existing));
    if (missing.length === 0) return;
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((key) => [key.name, KEYWORD])),
      });
      return;
    } catch (error) {
      if (round >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * round));
    }
  }
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
    // A worker being replaced (SIGTERM in a rolling deploy) stops polling and lets the calls in flight answer rather
    // than cancelling them for another worker to repeat; docker-compose.yml's stop_grace_period (30 s) covers it.
    shutdownGraceTime: SHUTDOWN_GRACE,
    ...options.tuning,
  });
  return { worker, connection };
}
