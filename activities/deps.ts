import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { CompanyEntity } from '../db/entities';
import { notConfiguredMessage } from '../domain/messages';
import type { Gateway } from '../domain/purchase';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import type { WorkerMetrics } from '../shared/metrics';
import { RouterEndpointPolicy } from '../shared/router-endpoints';
import type { SecretBox } from '../shared/secrets';
import { NoticeSender, type NoticeSenderOptions } from './notify/sender';
import { createTelegramNotifier, type TelegramNotifier } from './notify/telegram';
import { createConektaGateway, createConektaWebhookKey } from './payments/conekta';
import type { PaymentGateway } from './payments/gateway';
import { instrumented } from './payments/instrumented';
import { createMercadoPagoGateway } from './payments/mercadopago';
import { RouterOsClient } from './routeros/client';
import { HotspotOperations } from './routeros/hotspot';
import { RouterCache } from './routeros/router-cache';
import { finalFailure } from './failures';

/** Everything the activities reach: ports to the database, the routers, the gateways and Telegram. */
export interface ActivityDeps {
  dataSource: DataSource;
  secrets: SecretBox;
  logger: Logger;
  hotspot: HotspotOperations;
  /** Routers' rows, kept until an admin changes one (the activities that need a router and not a purchase). */
  routers: RouterCache;
  gateways: (company: CompanyEntity, gateway: Gateway) => PaymentGateway;
  /** The gateway account (a fingerprint of the credential) a company's payments are in; undefined when not configured. */
  gatewayAccount: (company: CompanyEntity, gateway: Gateway) => string | undefined;
  /** How far back the payment reconciliation asks the gateways. */
  paymentReconcileWindowDays: number;
  createConektaWebhookKey: (company: CompanyEntity) => Promise<{ id: string; publicKey: string }>;
  telegram: TelegramNotifier;
  publicBaseUrl: string;
  routerConnectTimeoutMs: number;
  /** The worker's metrics: purchases and reconciliation count there (gateway and RouterOS calls are counted below). */
  metrics: WorkerMetrics;
}

const GATEWAY_TIMEOUT_MS = 20_000;

/**
 * Builds the real adapters from the configuration (the worker's composition root calls this, then `start`s them: the
 * router cache listens for admin changes, the notice sender sends the operator notices; `close` stops them). Gateway
 * clients are cached per credential so connections are reused across purchases of a company; each is counted in the
 * metrics, as is every RouterOS command. `notices` tunes the sender (tests poll more often).
 */
export function createActivityDeps(
  config: Config,
  dataSource: DataSource,
  secrets: SecretBox,
  logger: Logger,
  metrics: WorkerMetrics,
  notices: Pick<NoticeSenderOptions, 'pollMs'> = {},
): ActivityDeps & { start(): Promise<void>; close(): Promise<void> } {
  const routerOs = new RouterOsClient({
    connectTimeoutMs: config.ROUTER_CONNECT_TIMEOUT_SECONDS * 1000,
    commandTimeoutMs: config.ROUTER_COMMAND_TIMEOUT_SECONDS * 1000,
    maxConcurrentPerRouter: 8,
    idleCloseMs: 60_000,
    endpoints: new RouterEndpointPolicy(config.ROUTER_ALLOWED_NETWORKS),
    logger,
    observer: metrics,
  });
  const routers = new RouterCache(dataSource, logger);
  const cache = new Map<string, PaymentGateway>();
  const cached = (key: string, build: () => PaymentGateway) => {
    let gateway = cache.get(key);
    if (!gateway) {
      if (cache.size >= 1_000) cache.clear();
      gateway = instrumented(build(), metrics);
      cache.set(key, gateway);
    }
    return gateway;
  };
  const telegram = createTelegramNotifier({ baseUrl: config.TELEGRAM_API_BASE_URL, timeoutMs: 10_000, logger });
  const sender = new NoticeSender({ dataSource, secrets, telegram, logger, ...notices });
  const fingerprint = (gateway: Gateway, secret: string) => `${gateway}:${createHash('sha256').update(secret).digest('hex')}`;

  const credentialOf = (company: CompanyEntity, gateway: Gateway): string | undefined =>
    gateway === 'conekta'
      ? (secrets.decryptOptional(company.conektaPrivateKeyEncrypted) ?? (config.CONEKTA_DEFAULT_PRIVATE_KEY || undefined))
      : secrets.decryptOptional(company.mercadoPagoAccessTokenEncrypted);
  const conektaKey = (company: CompanyEntity) => {
    const key = credentialOf(company, 'conekta');
    if (!key) throw finalFailure('PAYMENT_NOT_CONFIGURED', notConfiguredMessage('conekta'));
    return key;
  };

  return {
    dataSource,
    secrets,
    logger,
    hotspot: new HotspotOperations(routerOs),
    routers,
    gateways(company, gateway) {
      if (gateway === 'conekta') {
        const privateKey = conektaKey(company);
        return cached(fingerprint(gateway, privateKey), () =>
          createConektaGateway({ privateKey, baseUrl: config.CONEKTA_API_BASE_URL, timeoutMs: GATEWAY_TIMEOUT_MS, logger }),
        );
      }
      const accessToken = credentialOf(company, gateway);
      if (!accessToken) throw finalFailure('PAYMENT_NOT_CONFIGURED', notConfiguredMessage('mercado_pago'));
      return cached(fingerprint(gateway, accessToken), () =>
        createMercadoPagoGateway({ accessToken, baseUrl: config.MERCADO_PAGO_API_BASE_URL, timeoutMs: GATEWAY_TIMEOUT_MS, logger }),
      );
    },
    gatewayAccount(company, gateway) {
      const credential = credentialOf(company, gateway);
      return credential ? fingerprint(gateway, credential) : undefined;
    },
    paymentReconcileWindowDays: config.PAYMENT_RECONCILE_WINDOW_DAYS,
    createConektaWebhookKey: (company) =>
      createConektaWebhookKey({ privateKey: conektaKey(company), baseUrl: config.CONEKTA_API_BASE_URL, timeoutMs: GATEWAY_TIMEOUT_MS, logger }),
    telegram,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    routerConnectTimeoutMs: config.ROUTER_CONNECT_TIMEOUT_SECONDS * 1000,
    metrics,
    start: async () => {
      await routers.start();
      sender.start();
    },
    close: async () => {
      await sender.close();
      await routers.close();
      await routerOs.close();
    },
  };
}
