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

    expect(report.routers).toEqual([{ routerId: s.routerRow.id, checked: 4, removed: 1, unknown: 1, restored: 0, notRestored: 0 }]);
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

  const reconcileRouters = () =>
    s.workflows.client.workflow.execute<() => Promise<ReconcileReport>>(WORKFLOW_TYPES.reconcile, {
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      workflowId: `reconcile-test-${randomUUID()}`,
    });
  /** An active purchase activated a while ago (its user is the router's to keep), and its user on the router. */
  async function activeSince(minutesAgo: number) {
    const body = (await buy(s, 'conekta')).json<{ id_compra: string; usuario_hotspot: { usuario: string; contrasena: string } }>();
    const purchases = s.db.dataSource.getRepository(PurchaseEntity);
    await purchases.update({ id: body.id_compra }, { activatedAt: new Date(Date.now() - minutesAgo * 60_000) });
    return { id: body.id_compra, ...body.usuario_hotspot, row: await purchases.findOneByOrFail({ id: body.id_compra }) };
  }
  const byHand = (command: string, attrs: Record<string, string>) => s.router.state.execute({ command, attrs, queries: [] });

  it('puts back, with the time left, the user of an active purchase deleted or disabled by hand; reports one the router refuses', async () => {
    const deleted = await activeSince(10);
    const disabled = await activeSince(10);
    const taken = await activeSince(10);
    byHand('/ip/hotspot/user/remove', { '.id': routerUser(s, deleted.usuario)!['.id'] });
    byHand('/ip/hotspot/user/set', { '.id': routerUser(s, disabled.usuario)!['.id'], disabled: 'yes' });
    byHand('/ip/hotspot/user/remove', { '.id': routerUser(s, taken.usuario)!['.id'] });
    tagged(taken.usuario, randomUUID()); // someone else's user under that name now

    const report = await reconcileRouters();

    expect(report.routers[0]).toMatchObject({ restored: 2, notRestored: 1 });
    const back = routerUser(s, deleted.usuario)!;
    expect(back).toMatchObject({ disabled: 'false', password: deleted.contrasena, comment: `pagos-hotspot:${deleted.id}` });
    // its limit-uptime is the time left until the purchase's expiry (within a minute of it)
    const left = (deleted.row.expiresAt!.getTime() - Date.now()) / 1000;
    expect(Math.abs(parseUptime(back['limit-uptime']) - left)).toBeLessThan(60);
    expect(routerUser(s, disabled.usuario)).toMatchObject({ disabled: 'false' });
    expect(routerUser(s, taken.usuario)?.comment).not.toBe(`pagos-hotspot:${taken.id}`); // never touched
    const typesOf = async (id: string) =>
      (await s.db.dataSource.getRepository(PurchaseEventEntity).findBy({ purchaseId: id, source: 'reconciliation' })).map((e) => e.type);
    expect(await typesOf(deleted.id)).toEqual(['reconciled_restored']);
    expect(await typesOf(disabled.id)).toEqual(['reconciled_restored']);
    expect(await typesOf(taken.id)).toEqual(['reconciled_not_restored']);

    // A purchase activated a moment ago is left to its workflow, which may still be enabling its user.
    const fresh = await activeSince(0);
    byHand('/ip/hotspot/user/remove', { '.id': routerUser(s, fresh.usuario)!['.id'] });
    expect((await reconcileRouters()).routers[0]).toMatchObject({ restored: 0 });
  });

  it("puts a user back with its plan's online time plus the purchase's extensions and stacked time, when less than the time left", async () => {
    const extended = await activeSince(10);
    await s.db.dataSource.getRepository(PurchaseEntity).update({ id: extended.id }, { uptimeLimitSeconds: 600 });
    const history = (type: string, detail: Record<string, string | number>) =>
      s.db.dataSource.getRepository(PurchaseEventEntity).insert({ purchaseId: extended.id, type, fromStatus: null, toStatus: null, source: 'workflow', detail });
    await history('time_stacked', { from_purchase: randomUUID(), seconds: 3600, uptime_seconds: 1200 });
    await history('extended', { seconds: 300 });
    byHand('/ip/hotspot/user/remove', { '.id': routerUser(s, extended.usuario)!['.id'] });

    expect((await reconcileRouters()).routers[0]).toMatchObject({ restored: 1 });

    expect(parseUptime(routerUser(s, extended.usuario)?.['limit-uptime'])).toBe(600 + 1200 + 300);
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

/** Seconds of a RouterOS duration (`1w2d3h4m5s`). */
function parseUptime(value: string | undefined): number {
  const units: Record<string, number> = { w: 604_800, d: 86_400, h: 3600, m: 60, s: 1 };
  return [...(value ?? '').matchAll(/(\d+)([wdhms])/g)].reduce((n, [, amount, unit]) => n + Number(amount) * units[unit], 0);
}
