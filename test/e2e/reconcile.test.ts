import { randomUUID } from 'node:crypto';
import { PurchaseEntity, PurchaseEventEntity } from '../../db/entities';
import { PAYMENTS_RECONCILE_SCHEDULE_ID, RECONCILE_SCHEDULE_ID, WORKFLOW_TYPES, type ReconcileReport } from '../../domain/temporal';
import { prepareNamespace } from '../../worker/create-worker';
import { buy, purchaseRow, routerUser } from '../helpers/purchases';
import { startStack, type TestStack } from '../helpers/stack';

/** The scheduled safety net: users that outlived their purchase are removed; rows whose workflow never ran are closed. */
describe('reconciliation', () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack();
  }, 60_000);
  afterAll(() => s?.close());

  const tagged = (name: string, purchaseId: string) =>
    s.router.state.add('/ip/hotspot/user', { name, password: '1234', profile: 'default', comment: `pagos-hotspot:${purchaseId}` });

  it('removes users whose purchase ended long ago, keeps the others, and closes abandoned rows', async () => {
    const hourAgo = new Date(Date.now() - 3_600_000);
    const ended = await purchaseRow(s, 'expired', { hotspotUsername: 'PT-OLD01', endedAt: hourAgo, activatedAt: hourAgo, expiresAt: hourAgo });
    tagged('PT-OLD01', ended.id);
    const justEnded = await purchaseRow(s, 'revoked', { hotspotUsername: 'PT-NEW01', endedAt: new Date() });
    tagged('PT-NEW01', justEnded.id);
    tagged('PT-ALIEN', randomUUID()); // a purchase this database does not know
    const active = (await buy(s, 'conekta')).json();
    const abandoned = await purchaseRow(s, 'created', { cardTokenEncrypted: s.secrets.encrypt('tok_x'), createdAt: hourAgo });

    const report = await s.workflows.client.workflow.execute<() => Promise<ReconcileReport>>(WORKFLOW_TYPES.reconcile, {
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      workflowId: `reconcile-test-${randomUUID()}`,
    });

    expect(report.routers).toEqual([{ routerId: s.routerRow.id, checked: 4, removed: 1, unknown: 1 }]);
    expect(routerUser(s, 'PT-OLD01')).toBeUndefined();
    expect(routerUser(s, 'PT-NEW01')).toBeDefined(); // its own workflow is still within its grace period
    expect(routerUser(s, 'PT-ALIEN')).toBeDefined();
    expect(routerUser(s, active.usuario_hotspot.usuario)).toMatchObject({ disabled: 'false' });
    const events = await s.db.dataSource.getRepository(PurchaseEventEntity).findBy({ purchaseId: ended.id });
    expect(events).toEqual([expect.objectContaining({ type: 'reconciled_removed', source: 'reconciliation' })]);

    expect(report.abandoned).toEqual({ checked: 1, closed: 1 });
    const closed = await s.db.dataSource.getRepository(PurchaseEntity).findOneByOrFail({ id: abandoned.id });
    expect(closed).toMatchObject({ status: 'failed', statusReason: 'NOT_STARTED', cardTokenEncrypted: null });
  });

  it('is scheduled on the namespace by the worker, once: routers every 15 minutes, payments at the configured interval', async () => {
    await prepareNamespace(s.config.TEMPORAL_ADDRESS, s.config.TEMPORAL_NAMESPACE, s.config.TEMPORAL_TASK_QUEUE, 45);
    await prepareNamespace(s.config.TEMPORAL_ADDRESS, s.config.TEMPORAL_NAMESPACE, s.config.TEMPORAL_TASK_QUEUE, 45);
    const routers = await s.workflows.client.schedule.getHandle(RECONCILE_SCHEDULE_ID).describe();
    expect(routers.action).toMatchObject({ type: 'startWorkflow', workflowType: WORKFLOW_TYPES.reconcile });
    expect(routers.spec.intervals).toEqual([expect.objectContaining({ every: 15 * 60_000 })]);
    const payments = await s.workflows.client.schedule.getHandle(PAYMENTS_RECONCILE_SCHEDULE_ID).describe();
    expect(payments.action).toMatchObject({ type: 'startWorkflow', workflowType: WORKFLOW_TYPES.reconcilePayments });
    expect(payments.spec.intervals).toEqual([expect.objectContaining({ every: 45 * 60_000 })]);
    // The test server outlives this stack.
    await s.workflows.client.schedule.getHandle(RECONCILE_SCHEDULE_ID).delete();
    await s.workflows.client.schedule.getHandle(PAYMENTS_RECONCILE_SCHEDULE_ID).delete();
  });
});
