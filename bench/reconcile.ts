import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { QueryDeepPartialEntity } from 'typeorm';
import { CompanyEntity, PurchaseEntity } from '../db/entities';
import type { Gateway } from '../domain/purchase';
import type { PaymentReconcileReport } from '../domain/reconciliation';
import { WORKFLOW_TYPES } from '../domain/temporal';
import { DEMO_GATEWAYS } from '../scripts/dev/seed';
import { GATEWAYS } from './lib/portal';
import { rssMiB } from './lib/procs';
import { options, runBenchmark, saveResult } from './lib/results';
import { startBenchStack, type BenchStack } from './lib/stack';
import { round } from './lib/stats';

/**
 * Benchmark 7: one payment reconciliation over 10,000 purchases of 2 companies (which share one account per gateway,
 * as companies on the default Conekta key do), half through each gateway, with both gateway simulators answering
 * every call in 100 ms. The purchases are written straight into the database and their charges into the simulators
 * (1% of them refunded in the gateway's dashboard, with no webhook); then one run is started and timed. Reported:
 * its duration, the gateway calls it made (counted by the simulators), the findings, and the worker's memory.
 */

const opts = options({ purchases: 10_000, companies: 2, refundedPercent: 1, latencyMs: 100 });

const SECOND_COMPANY = 'EMP_BENCH_2';

async function seed(stack: BenchStack): Promise<{ refunded: number }> {
  const companies = stack.db.getRepository(CompanyEntity);
  const demo = await companies.findOneByOrFail({ id: stack.demo.company.id });
  const ids = [demo.id];
  for (let i = 2; i <= opts.companies; i++) {
    const id = i === 2 ? SECOND_COMPANY : `${SECOND_COMPANY}_${i}`;
    await companies.save({ ...demo, id, name: `Bench ${i}` });
    ids.push(id);
  }
  const product = stack.demo.products[0];
  const accounts: Record<Gateway, string> = { conekta: DEMO_GATEWAYS.conektaPrivateKey, mercado_pago: DEMO_GATEWAYS.mercadoPagoAccessToken };
  const rows: QueryDeepPartialEntity<PurchaseEntity>[] = [];
  let refunded = 0;
  for (let i = 0; i < opts.purchases; i++) {
    const id = randomUUID();
    const companyId = ids[i % ids.length];
    const gateway = GATEWAYS[Math.floor(i / ids.length) % GATEWAYS.length];
    const charge = stack.sandbox[gateway === 'conekta' ? 'conekta' : 'mercadoPago'].addCharge({
      account: accounts[gateway],
      purchaseId: id,
      metadata: { company_id: companyId },
      amountCents: product.priceCents,
      createdAt: Date.now() - (i % 6) * 86_400_000,
    });
    const reversed = i % Math.round(100 / opts.refundedPercent) === 0;
    if (reversed) {
      stack.sandbox[gateway === 'conekta' ? 'conekta' : 'mercadoPago'].refundFromDashboard(charge.id);
      refunded += 1;
    }
    rows.push({
      id,
      workflowId: `purchase:${companyId}:bench:${id}`,
      companyId,
      routerId: stack.demo.routerId,
      routerName: 'Bench',
      productId: product.id,
      productName: product.name,
      profileName: product.profileName,
      validitySeconds: 3600,
      gateway,
      amountCents: product.priceCents,
      currency: 'MXN',
      customerName: 'Bench',
      customerEmail: 'bench@example.com',
      userType: 'usuario_contrasena',
      gatewayReference: charge.id,
      // The refunded ones are still active in our rows: the reconciliation must find them.
      status: reversed ? 'active' : 'expired',
      activatedAt: new Date(),
      expiresAt: new Date(Date.now() + (reversed ? 3_600_000 : 0)),
      endedAt: reversed ? null : new Date(),
    });
  }
  for (let i = 0; i < rows.length; i += 1000) await stack.db.getRepository(PurchaseEntity).insert(rows.slice(i, i + 1000));
  return { refunded };
}

async function main(): Promise<void> {
  console.log('starting the stack…');
  const stack = await startBenchStack();
  try {
    const { refunded } = await seed(stack);
    const sims = [stack.sandbox.conekta, stack.sandbox.mercadoPago];
    for (const sim of sims) sim.setLatency(opts.latencyMs);
    const callsBefore = sims.map((sim) => sim.apiCalls().total);
    console.log(`${opts.purchases} purchases of ${opts.companies} companies seeded (${refunded} refunded at the gateway); reconciling…`);

    const connection = await Connection.connect({ address: stack.config.TEMPORAL_ADDRESS });
    let peakRss = rssMiB(stack.groups.worker);
    const rssBefore = peakRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(stack.groups.worker))), 250);
    const started = performance.now();
    const report = await new Client({ connection, namespace: stack.config.TEMPORAL_NAMESPACE }).workflow.execute<
      () => Promise<PaymentReconcileReport>
    >(WORKFLOW_TYPES.reconcilePayments, { taskQueue: stack.config.TEMPORAL_TASK_QUEUE, workflowId: `reconcile-payments-bench-${randomUUID()}` });
    const seconds = round((performance.now() - started) / 1000, 2);
    clearInterval(sampler);
    await connection.close();

    const calls = sims.map((sim, i) => sim.apiCalls().total - callsBefore[i]);
    const summary = {
      seconds,
      listed: report.listed,
      gatewayCalls: { conekta: calls[0], mercadoPago: calls[1], total: calls[0] + calls[1], reported: report.gatewayCalls },
      findings: report.counts,
      workerRssMiB: { before: round(rssBefore), peak: round(peakRss) },
    };
    console.log(
      `\n${opts.purchases} purchases (${opts.companies} companies, ${opts.latencyMs} ms per gateway call): ${seconds} s, ` +
        `${summary.gatewayCalls.total} gateway calls (Conekta ${calls[0]}, Mercado Pago ${calls[1]}), ${report.listed} payments listed, ` +
        `findings ${JSON.stringify(report.counts)}, worker RSS ${summary.workerRssMiB.before} → peak ${summary.workerRssMiB.peak} MiB`,
    );
    if ((report.counts.reversal_found ?? 0) !== refunded) throw new Error(`expected ${refunded} reversals found, got ${report.counts.reversal_found ?? 0}`);
    saveResult('reconcile', { options: opts, summary });
  } finally {
    await stack.stop();
  }
}

runBenchmark(main);
