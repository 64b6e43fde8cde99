/**
 * Standalone Mercado Pago simulator for the local sandbox stack. Env: MP_SIM_PORT (default 8102), MP_SIM_WEBHOOK_URL,
 * MP_SIM_WEBHOOK_SECRET, MP_SIM_LATENCY_MS, MP_SIM_AUTO_SETTLE_MS, MP_SIM_SLOW_MS.
 */
import { closeOnSignal, envInteger } from '../lib/cli';
import { startMercadoPagoSimulator } from './server';

async function main(): Promise<void> {
  const sim = await startMercadoPagoSimulator({
    port: envInteger('MP_SIM_PORT') ?? 8102,
    webhookUrl: process.env.MP_SIM_WEBHOOK_URL || undefined,
    webhookSecret: process.env.MP_SIM_WEBHOOK_SECRET || undefined,
    latencyMs: envInteger('MP_SIM_LATENCY_MS'),
    autoSettleMs: envInteger('MP_SIM_AUTO_SETTLE_MS') ?? 5_000,
    slowMs: envInteger('MP_SIM_SLOW_MS'),
  });
  console.log(`Mercado Pago simulator on ${sim.url} (MERCADO_PAGO_API_BASE_URL=${sim.url})`);
  console.log('Webhooks are signed with the secret in MP_SIM_WEBHOOK_SECRET (or the simulator default).');
  closeOnSignal(() => sim.close());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
