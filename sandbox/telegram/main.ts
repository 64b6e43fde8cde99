/** Standalone Telegram Bot API simulator. Env: TELEGRAM_SIM_PORT (default 8103). Messages: GET /__sim/messages. */
import { closeOnSignal, envInteger } from '../lib/cli';
import { startTelegramSimulator } from './server';

async function main(): Promise<void> {
  const sim = await startTelegramSimulator({ port: envInteger('TELEGRAM_SIM_PORT') ?? 8103 });
  console.log(`Telegram simulator on ${sim.url} (TELEGRAM_API_BASE_URL=${sim.url})`);
  closeOnSignal(() => sim.close());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
