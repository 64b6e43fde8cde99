import { setTimeout as sleep } from 'node:timers/promises';
import { ProductEntity } from '../db/entities';
import { MENU } from '../sandbox/routeros/state';
import { closedLoop } from './lib/load';
import { purchase } from './lib/portal';
import { UNLIMITED_PORTAL } from './lib/purchases';
import { cpuMeter, rssMiB } from './lib/procs';
import { options, runBenchmark, saveResult } from './lib/results';
import { startBenchStack, type BenchStack } from './lib/stack';
import { distribution, round } from './lib/stats';

/**
 * Benchmark 4: many purchases asleep until their expiry, then expiring together. Real purchases through the API
 * (Conekta, fresh tokens) of a product whose `validity_seconds` the benchmark keeps setting to "until the wave",
 * once a second, so every purchase expires within about a second of the same instant, a few minutes after the last
 * sale. Measured: the worker's resident memory while they sleep, and the wave: every hotspot user removed from the
 * router, and how late (removal time minus `expires_at`).
 */

const opts = options({ purchases: 10_000, clients: 50, expectedRate: 12, sleepSeconds: 120, waveTimeoutMinutes: 30, nodeOptions: '' });
const POLL_MS = 250;

interface Sample {
  at: number;
  worker: number;
  api: number;
}

async function createProduct(stack: BenchStack, validitySeconds: number): Promise<ProductEntity> {
  const [template] = stack.demo.products;
  return stack.db.getRepository(ProductEntity).save({
    companyId: template.companyId,
    routerId: template.routerId,
    profileId: template.profileId,
    profileName: template.profileName,
    name: 'Bench: expires with the wave',
    priceCents: template.priceCents,
    currency: template.currency,
    validitySeconds,
    displayOrder: 99,
    featured: false,
    details: [],
    active: true,
  });
}

/** Removal time of each user, by polling the simulated router until all are gone (or the time is up). */
async function watchRemovals(stack: BenchStack, names: readonly string[], deadline: number): Promise<Map<string, number>> {
  const removed = new Map<string, number>();
  while (removed.size < names.length && Date.now() < deadline) {
    const present = new Set(stack.sandbox.router.state.list(MENU.user).map((user) => user.name));
    const now = Date.now();
    for (const name of names) if (!present.has(name) && !removed.has(name)) removed.set(name, now);
    await sleep(POLL_MS);
  }
  return removed;
}

async function main(): Promise<void> {
  // `--node-options` reaches the API and the worker (e.g. `--max-semi-space-size=2`: V8's young generation, per isolate).
  const env = { ...UNLIMITED_PORTAL, ...(opts.nodeOptions ? { NODE_OPTIONS: opts.nodeOptions } : {}) };
  const stack = await startBenchStack({ env });
  const samples: Sample[] = [];
  const sampler = setInterval(() => samples.push({ at: Date.now(), worker: rssMiB(stack.groups.worker), api: rssMiB(stack.groups.api) }), 1_000);
  try {
    const idleWorkerMiB = rssMiB(stack.groups.worker);
    const waveAt = Date.now() + (opts.purchases / opts.expectedRate + opts.sleepSeconds) * 1000;
    const secondsLeft = () => Math.max(30, Math.ceil((waveAt - Date.now()) / 1000));
    const product = await createProduct(stack, secondsLeft());
    const retarget = setInterval(() => void stack.db.query('UPDATE products SET validity_seconds = $1 WHERE id = $2', [secondsLeft(), product.id]), 1_000);
    console.log(`selling ${opts.purchases} purchases with ${opts.clients} clients; the wave is due at ${new Date(waveAt).toISOString()}`);

    const names: string[] = [];
    const target = { apiUrl: stack.apiUrl, apiKey: stack.apiKey, productId: product.id, price: product.priceCents / 100 };
    const selling = await closedLoop({
      clients: opts.clients,
      warmupMs: 0,
      requests: opts.purchases,
      request: async () => {
        const outcome = await purchase('conekta', target);
        if (outcome.username) names.push(outcome.username);
        return outcome;
      },
    });
    clearInterval(retarget);
    const soldAt = Date.now();
    console.log(`  sold ${selling.completed} in ${selling.seconds} s (${selling.perSecond}/s, ${selling.errors} errors); sleeping until the wave`);

    await sleep(Math.max(0, waveAt - Date.now() - 2_000));
    const asleep = samples.filter((s) => s.at > soldAt + 10_000);
    const measure = cpuMeter(stack.groups);
    const removed = await watchRemovals(stack, names, waveAt + opts.waveTimeoutMinutes * 60_000);
    const cpu = measure();
    const rows: { username: string; expires_at: Date; expired_at: Date | null }[] = await stack.db.query(
      `SELECT p.hotspot_username AS username, p.expires_at,
              (SELECT min(e.created_at) FROM purchase_events e WHERE e.purchase_id = p.id AND e.to_status = 'expired') AS expired_at
         FROM purchases p WHERE p.product_id = $1 AND p.status IN ('active', 'expired')`,
      [product.id],
    );
    const expiries = rows.map((row) => row.expires_at.getTime());
    const lateness = rows.filter((row) => removed.has(row.username)).map((row) => (removed.get(row.username)! - row.expires_at.getTime()) / 1000);
    const recorded = rows.filter((row) => row.expired_at).map((row) => (row.expired_at!.getTime() - row.expires_at.getTime()) / 1000);
    const waveEnd = Math.max(...removed.values());
    const result = {
      selling,
      worker: {
        idleMiB: round(idleWorkerMiB),
        asleepMiB: distribution(asleep.map((s) => s.worker)),
        peakWhileSellingMiB: round(Math.max(...samples.filter((s) => s.at <= soldAt).map((s) => s.worker))),
        peakInWaveMiB: round(Math.max(...samples.filter((s) => s.at >= waveAt - 2_000).map((s) => s.worker))),
      },
      apiAsleepMiB: distribution(asleep.map((s) => s.api)),
      asleepSeconds: round(asleep.length),
      expiriesSpreadSeconds: round((Math.max(...expiries) - Math.min(...expiries)) / 1000),
      wave: {
        purchases: rows.length,
        removedFromRouter: removed.size,
        expiredInDatabase: recorded.length,
        seconds: round((waveEnd - Math.min(...expiries)) / 1000),
        removalsPerSecond: round(removed.size / Math.max((waveEnd - Math.min(...expiries)) / 1000, 1)),
        removalLatenessSeconds: distribution(lateness),
        recordedLatenessSeconds: distribution(recorded),
        cpuSeconds: cpu,
      },
    };
    console.log(
      `\nworker RSS: idle ${result.worker.idleMiB} MiB, asleep p50 ${result.worker.asleepMiB.p50} MiB (max ${result.worker.asleepMiB.max}) ` +
        `with ${rows.length} purchases waiting (target ≤ 300 MB); peak ${result.worker.peakWhileSellingMiB} MiB selling, ` +
        `${result.worker.peakInWaveMiB} MiB in the wave`,
    );
    console.log(
      `expiry wave: ${removed.size}/${rows.length} removed from the router in ${result.wave.seconds} s (${result.wave.removalsPerSecond}/s); ` +
        `lateness p50 ${result.wave.removalLatenessSeconds.p50} s, p99 ${result.wave.removalLatenessSeconds.p99} s ` +
        `(target p99 ≤ 2 s); recorded expired p99 ${result.wave.recordedLatenessSeconds.p99} s`,
    );
    saveResult('sleeping', { options: opts, env, ...result });
  } finally {
    clearInterval(sampler);
    await stack.stop();
  }
}

runBenchmark(main);
