import { randomUUID } from 'node:crypto';
import { PurchaseEntity, ReconciliationFindingEntity, ReconciliationRunEntity } from '../../db/entities';
import type { Gateway } from '../../domain/purchase';
import type { PaymentReconcileReport } from '../../domain/reconciliation';
import { WORKFLOW_TYPES } from '../../domain/temporal';
import { createAdmin, createCompany } from '../helpers/fixtures';
import { buy, chargeOf, events, GATEWAYS, purchase, purchaseRow, routerUser, simulatorOf, waitForStatus } from '../helpers/purchases';
import { adminSession, eventually, startStack, type TestStack } from '../helpers/stack';

/**
 * The gateways are the truth about money: with every webhook held (lost), a reconciliation run must still find what
 * the gateways changed and put each purchase right — and close purchases whose workflow an operator terminated.
 */
describe('payment reconciliation', () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack();
    s.conekta.webhooks.configure({ hold: true });
    s.mercadoPago.webhooks.configure({ hold: true });
  }, 60_000);
  afterAll(() => s?.close());

  const accountOf = (gateway: Gateway) => (gateway === 'conekta' ? 'key_test_private' : 'TEST-access-token');

  async function run(): Promise<PaymentReconcileReport> {
    return s.workflows.client.workflow.execute<() => Promise<PaymentReconcileReport>>(WORKFLOW_TYPES.reconcilePayments, {
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      workflowId: `reconcile-payments-test-${randomUUID()}`,
    });
  }

  async function activePurchase(gateway: Gateway): Promise<{ id: string; username: string; charge: string }> {
    const body = (await buy(s, gateway)).json<{ id_compra: string; usuario_hotspot: { usuario: string } }>();
    await waitForStatus(s, body.id_compra, 'active');
    return { id: body.id_compra, username: body.usuario_hotspot.usuario, charge: chargeOf(s, gateway, body.id_compra).id };
  }

  describe.each(GATEWAYS)('%s', (gateway) => {
    it('a refund made in the dashboard, its webhook lost, revokes the access at the next run', async () => {
      const bought = await activePurchase(gateway);
      simulatorOf(s, gateway).refundFromDashboard(bought.charge);

      const report = await run();

      expect(report.counts.reversal_found).toBeGreaterThanOrEqual(1);
      const row = await waitForStatus(s, bought.id, 'refunded');
      expect(row).toMatchObject({ statusReason: 'GATEWAY_REFUND', refundedCents: s.product.priceCents });
      expect(routerUser(s, bought.username)).toBeUndefined();
      expect(await events(s, bought.id)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'reconciled_reversal_found', source: 'reconciliation', detail: expect.objectContaining({ reversal: 'refunded', workflow_told: true }) }),
        ]),
      );
      // The gateway made its notices of this charge, and none reached us: the run alone found the refund.
      const webhooks = simulatorOf(s, gateway).webhooks;
      expect(webhooks.events().filter((e) => e.body.includes(bought.charge)).length).toBeGreaterThan(0);
      expect(webhooks.deliveries()).toEqual([]);
    });

    it('a charge-back, its webhook lost, revokes the access at the next run', async () => {
      const bought = await activePurchase(gateway);
      simulatorOf(s, gateway).chargeBack(bought.charge);

      await run();

      expect(await waitForStatus(s, bought.id, 'revoked')).toMatchObject({ statusReason: 'CHARGED_BACK' });
      expect(routerUser(s, bought.username)).toBeUndefined();
      const reconciled = (await events(s, bought.id)).filter((e) => e.source === 'reconciliation');
      expect(reconciled).toEqual([expect.objectContaining({ type: 'reconciled_reversal_found', detail: expect.objectContaining({ reversal: 'charged_back' }) })]);
    });

    it('refunds, once, an approved charge whose purchase failed, and tells the operator, even with two runs at once', async () => {
      const failed = await purchaseRow(s, 'failed', { gateway, statusReason: 'PAYMENT_GATEWAY_UNAVAILABLE', endedAt: new Date() });
      const sim = simulatorOf(s, gateway);
      const charge = sim.addCharge({ account: accountOf(gateway), purchaseId: failed.id, metadata: { company_id: s.company.id }, amountCents: 2000 });
      const messages = s.telegram.messages().length;

      await Promise.all([run(), run()]);

      expect(sim.refunds().filter((r) => r.chargeId === charge.id)).toEqual([expect.objectContaining({ amountCents: 2000, source: 'api' })]);
      expect(await purchase(s, failed.id)).toMatchObject({ status: 'failed', refundedCents: 2000 });
      const findings = await s.db.dataSource.getRepository(ReconciliationFindingEntity).findBy({ purchaseId: failed.id });
      expect(findings).toEqual([expect.objectContaining({ kind: 'charge_refunded', companyId: s.company.id, reference: charge.id })]);
      expect((await events(s, failed.id)).map((e) => e.type)).toEqual(['reconciled_charge_refunded']);
      await eventually(() => s.telegram.messages().length > messages, 10_000, 'the operator to be told');
      expect(s.telegram.messages().at(-1)?.text).toContain('Conciliación con la pasarela');
    });

    it('reports a payment carrying our metadata that no purchase row matches', async () => {
      const lost = randomUUID();
      const sim = simulatorOf(s, gateway);
      const charge = sim.addCharge({ account: accountOf(gateway), purchaseId: lost, metadata: { company_id: s.company.id }, amountCents: 3000 });
      // A payment of a company this database does not have, in the same account (a shared key): not ours to report.
      sim.addCharge({ account: accountOf(gateway), purchaseId: randomUUID(), metadata: { company_id: 'EMP_ELSEWHERE' }, amountCents: 500 });

      const report = await run();

      const findings = await s.db.dataSource.getRepository(ReconciliationFindingEntity).findBy({ runId: report.runId, kind: 'unknown_payment', gateway });
      expect(findings).toEqual([
        expect.objectContaining({ companyId: s.company.id, purchaseId: null, reference: charge.id, detail: expect.objectContaining({ purchase_id: lost }) }),
      ]);
    });
  });

  it('closes an active purchase whose workflow was terminated, removing its access once it has expired', async () => {
    const bought = await activePurchase('conekta');
    const row = await purchase(s, bought.id);
    await s.workflows.client.workflow.getHandle(row.workflowId).terminate('operator in the Web UI');
    const longAgo = new Date(Date.now() - 3_600_000);
    const purchases = s.db.dataSource.getRepository(PurchaseEntity);

    // Before its expiry it keeps the access it paid for.
    await purchases.update({ id: bought.id }, { updatedAt: longAgo });
    expect((await run()).workflowsGone).toBe(0);
    expect(routerUser(s, bought.username)).toBeDefined();

    await purchases.update({ id: bought.id }, { expiresAt: new Date(Date.now() - 60_000), updatedAt: longAgo });
    const messages = s.telegram.messages().length;
    const report = await run();

    expect(report.workflowsGone).toBe(1);
    expect(await purchase(s, bought.id)).toMatchObject({ status: 'expired', statusReason: 'WORKFLOW_GONE' });
    expect(routerUser(s, bought.username)).toBeUndefined();
    expect(await events(s, bought.id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'status_changed', fromStatus: 'active', toStatus: 'expired', source: 'reconciliation' }),
        expect.objectContaining({ type: 'reconciled_workflow_gone', source: 'reconciliation' }),
      ]),
    );
    await eventually(() => s.telegram.messages().length > messages, 10_000, 'the operator to be told');
  });

  it('refunds a paid purchase whose workflow failed before enabling its user, and removes the user', async () => {
    const bought = await activePurchase('mercado_pago');
    const row = await purchase(s, bought.id);
    await s.workflows.client.workflow.getHandle(row.workflowId).terminate('failed');
    // As the row of a workflow that ended between the charge and the activation.
    await s.db.dataSource.query(`UPDATE purchases SET status = 'paid', updated_at = now() - interval '1 hour' WHERE id = $1`, [bought.id]);

    await run();

    expect(await purchase(s, bought.id)).toMatchObject({ status: 'refunded', statusReason: 'WORKFLOW_GONE', refundedCents: s.product.priceCents });
    expect(s.mercadoPago.refunds().filter((r) => r.chargeId === bought.charge)).toHaveLength(1);
    expect(routerUser(s, bought.username)).toBeUndefined();
  });

  it('refunds a purchase whose workflow was terminated during its first charge try, its row still created', async () => {
    const bought = await activePurchase('conekta');
    const row = await purchase(s, bought.id);
    await s.workflows.client.workflow.getHandle(row.workflowId).terminate('operator in the Web UI');
    // The row keeps `created` until the charge's outcome is written with the next status change.
    await s.db.dataSource.query(`UPDATE purchases SET status = 'created', updated_at = now() - interval '1 hour' WHERE id = $1`, [bought.id]);

    expect((await run()).workflowsGone).toBe(1);

    expect(await purchase(s, bought.id)).toMatchObject({ status: 'cancelled', statusReason: 'WORKFLOW_GONE', refundedCents: s.product.priceCents });
    expect(s.conekta.refunds().filter((r) => r.chargeId === bought.charge)).toHaveLength(1);
    expect(routerUser(s, bought.username)).toBeUndefined();
  });

  it("shows money figures (gross, refunded, charged back, net) that agree with the gateways' records", async () => {
    const rows = await s.db.dataSource.getRepository(PurchaseEntity).findBy({ companyId: s.company.id });
    expect(rows.length).toBeGreaterThan(5); // the purchases the tests above reconciled
    const ours = new Set(rows.map((r) => r.id));
    const gateway = { gross: 0, refunded: 0, chargedBack: 0 };
    for (const gw of GATEWAYS) {
      const sim = simulatorOf(s, gw);
      const refunds = sim.refunds();
      for (const charge of sim.charges().filter((c) => c.purchaseId && ours.has(c.purchaseId))) {
        if (!['paid', 'approved', 'refunded', 'partially_refunded', 'charged_back'].includes(charge.status)) continue;
        const refunded = refunds.filter((r) => r.chargeId === charge.id).reduce((n, r) => n + r.amountCents, 0);
        gateway.gross += charge.amountCents;
        gateway.refunded += refunded;
        if (charge.status === 'charged_back') gateway.chargedBack += charge.amountCents - refunded;
      }
    }
    const expected = {
      MXN: {
        bruto: gateway.gross / 100,
        reembolsado: gateway.refunded / 100,
        contracargos: gateway.chargedBack / 100,
        neto: (gateway.gross - gateway.refunded - gateway.chargedBack) / 100,
      },
    };
    expect(gateway.refunded).toBeGreaterThan(0);
    expect(gateway.chargedBack).toBeGreaterThan(0);

    const admin = await adminSession(s, await createAdmin(s.db.dataSource, { role: 'cliente_admin', companyId: s.company.id }));
    const dashboard = await s.app.inject({ method: 'GET', url: '/api/v1/admin/mi-empresa/dashboard', headers: admin });
    expect(dashboard.json().dinero_por_moneda).toEqual(expected);
    const sales = await s.app.inject({ method: 'GET', url: '/api/v1/admin/purchases?limit=1', headers: admin });
    expect(sales.json().dinero_por_moneda).toEqual(expected);
    const superAdmin = await adminSession(s, await createAdmin(s.db.dataSource));
    const platform = await s.app.inject({ method: 'GET', url: '/admin/dashboard', headers: superAdmin });
    expect(platform.json().dinero_por_moneda).toEqual(expected);
  });

  describe('admin API', () => {
    it('starts a run on demand (202) and lists it, a company admin seeing only its own findings', async () => {
      const superAdmin = await adminSession(s, await createAdmin(s.db.dataSource));
      const other = await createCompany(s.db.dataSource);
      const companyAdmin = await adminSession(s, await createAdmin(s.db.dataSource, { role: 'cliente_admin', companyId: other.id }));
      const lost = simulatorOf(s, 'conekta').addCharge({ account: accountOf('conekta'), purchaseId: randomUUID(), metadata: { company_id: s.company.id }, amountCents: 1000 });

      const started = await s.app.inject({ method: 'POST', url: '/admin/reconciliation/run', headers: superAdmin });
      expect(started.statusCode).toBe(202);
      const { id } = started.json<{ id: string }>();
      const runs = s.db.dataSource.getRepository(ReconciliationRunEntity);
      await eventually(async () => (await runs.findOneBy({ id }))?.status === 'completed', 30_000, 'the run to complete');

      const list = await s.app.inject({ method: 'GET', url: '/admin/reconciliation/runs?limit=5', headers: superAdmin });
      expect(list.statusCode).toBe(200);
      const newest = list.json<{ ejecuciones: { id: string; origen: string; conteos: Record<string, number>; hallazgos: unknown[] }[] }>().ejecuciones[0];
      expect(newest).toMatchObject({ id, origen: 'admin', estado: 'completed' });
      expect(newest.conteos.unknown_payment).toBeGreaterThanOrEqual(1);
      expect(newest.hallazgos).toContainEqual(expect.objectContaining({ tipo: 'unknown_payment', empresa_id: s.company.id, referencia: lost.id }));

      const theirs = await s.app.inject({ method: 'GET', url: '/api/v1/admin/reconciliation/runs?limit=5', headers: companyAdmin });
      expect(theirs.statusCode).toBe(200);
      expect(theirs.json().ejecuciones[0]).toMatchObject({ id, conteos: {}, hallazgos: [] });

      const refused = await s.app.inject({ method: 'POST', url: '/admin/reconciliation/run', headers: companyAdmin });
      expect(refused.statusCode).toBe(403);
    }, 60_000);
  });
});
