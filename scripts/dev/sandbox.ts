import { startConektaSimulator, type ConektaSimulator } from '../../sandbox/conekta/server';
import { startMercadoPagoSimulator, type MercadoPagoSimulator } from '../../sandbox/mercadopago/server';
import { startHttpView, type HttpView } from '../../sandbox/routeros/http-view';
import { startRouterSimulator, type RouterSimulator } from '../../sandbox/routeros/simulator';
import { startTelegramSimulator, type TelegramSimulator } from '../../sandbox/telegram/server';

/**
 * The outside world of `npm run dev`, in this process on fixed loopback ports: a MikroTik router (with its JSON
 * view), Conekta, Mercado Pago and Telegram. Pending payments settle by themselves after a few seconds, so a person
 * sees pending → approved without calling the control API.
 */

export const SANDBOX_PORTS = {
  router: 18728,
  routerView: 18780,
  conekta: 18101,
  mercadoPago: 18102,
  telegram: 18103,
} as const;

export type SandboxPorts = Record<keyof typeof SANDBOX_PORTS, number>;

export const ROUTER_API_USER = 'admin';
/** ROUTER_ALLOWED_NETWORKS of a stack with the simulated router: the default policy plus the simulator's loopback. */
export const SANDBOX_ROUTER_NETWORKS = 'default,127.0.0.1';
/** One device already on the hotspot's WiFi, so a purchase with auto-connect can log it in. */
export const DEMO_DEVICE = { mac: 'AA:BB:CC:DD:EE:01', ip: '10.5.50.10' } as const;
const AUTO_SETTLE_MS = 5_000;

export interface Sandbox {
  router: RouterSimulator;
  routerView: HttpView;
  conekta: ConektaSimulator;
  mercadoPago: MercadoPagoSimulator;
  telegram: TelegramSimulator;
}

export interface SandboxOptions {
  /** Where the API listens (webhooks are delivered there). */
  apiUrl: string;
  routerPassword: string;
  mercadoPagoWebhookSecret: string;
  /** Called for each simulator once it listens, so a failure later still closes the ones already started. */
  started(name: string, close: () => Promise<void>): void;
  /** Where the simulators listen; the benchmarks pass free ports so they can run beside `npm run dev`. */
  ports?: SandboxPorts;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const ports = options.ports ?? SANDBOX_PORTS;
  const opened = <T extends { close(): Promise<void> }>(name: string) => (sim: T) => {
    options.started(name, () => sim.close());
    return sim;
  };
  const [router, conekta, mercadoPago, telegram] = await Promise.all([
    startRouterSimulator({
      port: ports.router,
      version: '7.18',
      identity: 'Cafe-Demo',
      users: { [ROUTER_API_USER]: options.routerPassword },
    }).then(opened('router simulator')),
    startConektaSimulator({
      port: ports.conekta,
      webhookUrl: `${options.apiUrl}/api/v1/webhook/conekta`,
      autoSettleMs: AUTO_SETTLE_MS,
    }).then(opened('Conekta simulator')),
    startMercadoPagoSimulator({
      port: ports.mercadoPago,
      webhookUrl: `${options.apiUrl}/api/v1/webhook/mercado-pago`,
      webhookSecret: options.mercadoPagoWebhookSecret,
      autoSettleMs: AUTO_SETTLE_MS,
    }).then(opened('Mercado Pago simulator')),
    startTelegramSimulator({ port: ports.telegram }).then(opened('Telegram simulator')),
  ]);
  const routerView = await startHttpView(router, ports.routerView).then(opened('router view'));
  router.attachDevice(DEMO_DEVICE.mac, DEMO_DEVICE.ip);
  return { router, routerView, conekta, mercadoPago, telegram };
}
