/**
 * Standalone Conekta simulator for the local sandbox stack. Env: CONEKTA_SIM_PORT (default 8101),
 * CONEKTA_SIM_WEBHOOK_URL, CONEKTA_SIM_LATENCY_MS, CONEKTA_SIM_AUTO_SETTLE_MS, CONEKTA_SIM_SLOW_MS.
 */
import { closeOnSignal, envInteger } from '../lib/cli';
import { startConektaSimulator } from './server';

async function main(): Promise<void> {
  const sim = await startConektaSimulator({
    port: envInteger('CONEKTA_SIM_PORT') ?? 8101,
    webhookUrl: process.env.CONEKTA_SIM_WEBHOOK_URL || undefined,
    latencyMs: envInteger('CONEKTA_SIM_LATENCY_MS'),
    autoSettleMs: envInteger('CONEKTA_SIM_AUTO_SETTLE_MS') ?? 5_000,
    slowMs: envInteger('CONEKTA_SIM_SLOW_MS'),
  });
  console.log(`Conekta simulator on ${sim.url} (CONEKTA_API_BASE_URL=${sim.url})`);
  console.log(`Webhook public key (POST ${sim.url}/webhook_keys returns it too):\n${sim.publicKeyPem}`);
  closeOnSignal(() => sim.close());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
