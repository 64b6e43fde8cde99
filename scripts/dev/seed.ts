import bcrypt from 'bcrypt';
import { jwtVerify } from 'jose';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { insertBatch } from '../../api/admin/vouchers';
import { API_KEY_PREFIX, apiKeySettings, issueRouterApiKey } from '../../api/auth/router-keys';
import { CreateBatchRequest } from '../../api/schemas/admin/vouchers';
import { AdminUserEntity, CompanyEntity, ProductEntity, RouterApiKeyEntity, RouterEntity, VoucherBatchEntity } from '../../db/entities';
import { ADMIN_CHANGES_CHANNEL, notify } from '../../db/notifications';
import { findVoucherRows } from '../../db/repositories/vouchers';
import type { Config } from '../../shared/config';
import { SecretBox, sha256Hex } from '../../shared/secrets';
import type { DevEnvironment } from './env';
import { ROUTER_API_USER, type Sandbox } from './sandbox';

/**
 * The demo data of `npm run dev`, idempotent: a company whose gateways point at the simulators, its admin, a router
 * pointing at the simulated one, three products, the router's API key and a batch of vouchers. A second run creates
 * nothing new; it only refreshes what the simulators change on each start (the Conekta webhook key) and re-wires
 * the router and gateways.
 */

export const DEMO_COMPANY_ID = 'EMP_DEMO';
export const DEMO_ROUTER_ID = 'RTR_DEMO';

/** Gateway credentials of the demo company: the simulators accept any, so these are labels, not secrets. */
export const DEMO_GATEWAYS = {
  conektaPrivateKey: 'key_demo_private_sandbox',
  conektaPublicKey: 'key_demo_public_sandbox',
  mercadoPagoAccessToken: 'TEST-demo-access-token',
  mercadoPagoPublicKey: 'TEST-demo-public-key',
  telegramBotToken: '123456789:demo-sandbox-bot-token',
  telegramChatId: '-1001000000001',
};

/**
 * One product per profile of the simulated router (sandbox/routeros/state.ts DEFAULT_PROFILES). The first one is
 * short on purpose: a person trying the sandbox sees an access expire and leave the router within minutes.
 */
const DEMO_PRODUCTS: Partial<ProductEntity>[] = [
  {
    profileId: '*1', profileName: '1h-2M', name: '10 minutos', description: 'Prueba: Internet por 10 minutos a 2 Mbps',
    priceCents: 500, validitySeconds: 600, displayOrder: 1, featured: false, details: ['2 Mbps', '1 dispositivo'],
  },
  {
    profileId: '*2', profileName: '1d-5M', name: '1 día', description: 'Internet por 24 horas a 5 Mbps',
    priceCents: 5000, validitySeconds: 86_400, displayOrder: 2, featured: true, details: ['5 Mbps', '1 dispositivo', 'Reconexión automática'],
  },
  {
    profileId: '*3', profileName: '1w-10M', name: '1 semana', description: 'Internet por 7 días a 10 Mbps',
    priceCents: 20000, validitySeconds: 604_800, displayOrder: 3, featured: false, details: ['10 Mbps', '1 dispositivo'],
  },
];

export interface SeedInput {
  config: Config;
  secrets: SecretBox;
  companyAdmin: { email: string; password: string };
  router: { host: string; port: number; user: string; password: string };
  conektaWebhookPublicKey: string;
  mercadoPagoWebhookSecret: string;
  /** The API key an earlier run issued; reused while it is still valid. */
  storedApiKey?: string;
}

/** The seed of a company wired to `sandbox`, with the dev credentials kept in `env`. */
export function sandboxSeedInput(config: Config, env: DevEnvironment, sandbox: Sandbox): SeedInput {
  return {
    config,
    secrets: new SecretBox(config.SECRET_KEY, config.ENCRYPTION_KEY_MERCADO_PAGO || undefined),
    companyAdmin: { email: env.dev('DEV_COMPANY_ADMIN_EMAIL'), password: env.dev('DEV_COMPANY_ADMIN_PASSWORD') },
    router: { host: sandbox.router.host, port: sandbox.router.port, user: ROUTER_API_USER, password: env.dev('DEV_ROUTER_API_PASSWORD') },
    conektaWebhookPublicKey: sandbox.conekta.publicKeyPem,
    mercadoPagoWebhookSecret: sandbox.mercadoPago.webhookSecret,
  };
}

export interface DemoData {
  company: { id: string; name: string };
  routerId: string;
  apiKey: { value: string; expiresAt: Date; reused: boolean };
  products: ProductEntity[];
  /** An unused voucher of the demo batch, to redeem on the portal (none once all are used). */
  voucher?: { batchId: number; code: string };
}

export async function seedDemo(dataSource: DataSource, input: SeedInput): Promise<DemoData> {
  return dataSource.transaction(async (tx) => {
    // Two `npm run dev` against one database must not both insert.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('pagos-hotspot:dev-seed'))`);
    const company = await upsertCompany(tx, input);
    await ensureCompanyAdmin(tx, input);
    await upsertRouter(tx, input);
    // Delivered on commit: a worker already running against this database forgets the router it re-wired.
    await notify(tx, ADMIN_CHANGES_CHANNEL, 'router-keys');
    const products = await ensureProducts(tx);
    const apiKey = await ensureApiKey(tx, input);
    const voucher = await ensureVouchers(tx, input, products);
    return { company: { id: company.id, name: company.name }, routerId: DEMO_ROUTER_ID, apiKey, products, voucher };
  });
}

async function upsertCompany(tx: EntityManager, { secrets, conektaWebhookPublicKey, mercadoPagoWebhookSecret }: SeedInput) {
  const repo = tx.getRepository(CompanyEntity);
  // Re-encrypted every run: SECRET_KEY may have been set since the last one.
  const wiring: Partial<CompanyEntity> = {
    conektaPrivateKeyEncrypted: secrets.encrypt(DEMO_GATEWAYS.conektaPrivateKey),
    conektaPublicKey: DEMO_GATEWAYS.conektaPublicKey,
    conektaMode: 'test',
    conektaWebhookPublicKey, // a new key pair on every simulator start
    mercadoPagoAccessTokenEncrypted: secrets.encryptMercadoPago(DEMO_GATEWAYS.mercadoPagoAccessToken),
    mercadoPagoPublicKey: DEMO_GATEWAYS.mercadoPagoPublicKey,
    mercadoPagoMode: 'test',
    mercadoPagoWebhookSecretEncrypted: secrets.encryptMercadoPago(mercadoPagoWebhookSecret),
    telegramBotTokenEncrypted: secrets.encrypt(DEMO_GATEWAYS.telegramBotToken),
    telegramChatId: DEMO_GATEWAYS.telegramChatId,
    telegramEnabled: true,
  };
  const existing = await repo.findOneBy({ id: DEMO_COMPANY_ID });
  if (existing) {
    await repo.update({ id: DEMO_COMPANY_ID }, { ...wiring, updatedAt: new Date() });
    return existing;
  }
  return repo.save({
    id: DEMO_COMPANY_ID,
    name: 'Café Demo',
    contactEmail: 'contacto@cafe-demo.test',
    contactPhone: '+52 55 1234 5678',
    active: true,
    ...wiring,
  });
}

/** Creates the company admin, or resets its password to the generated one so the printed login always works. */
async function ensureCompanyAdmin(tx: EntityManager, { config, companyAdmin }: SeedInput): Promise<void> {
  const repo = tx.getRepository(AdminUserEntity);
  const email = companyAdmin.email.toLowerCase();
  const existing = await repo.createQueryBuilder('u').where('lower(u.email) = :email', { email }).getOne();
  if (existing && (await bcrypt.compare(companyAdmin.password, existing.passwordHash))) return;
  const passwordHash = await bcrypt.hash(companyAdmin.password, config.BCRYPT_ROUNDS);
  if (existing) {
    await repo.update({ id: existing.id }, { passwordHash, updatedAt: new Date() });
    return;
  }
  await repo.insert({ role: 'cliente_admin', companyId: DEMO_COMPANY_ID, email, passwordHash, name: 'Admin Café Demo', active: true });
}

async function upsertRouter(tx: EntityManager, { secrets, router }: SeedInput): Promise<void> {
  const repo = tx.getRepository(RouterEntity);
  const wiring: Partial<RouterEntity> = {
    host: router.host,
    port: router.port,
    useTls: false,
    apiUser: router.user,
    apiPasswordEncrypted: secrets.encrypt(router.password),
  };
  if (await repo.existsBy({ id: DEMO_ROUTER_ID })) {
    await repo.update({ id: DEMO_ROUTER_ID }, { ...wiring, updatedAt: new Date() });
    return;
  }
  await repo.insert({ id: DEMO_ROUTER_ID, companyId: DEMO_COMPANY_ID, name: 'Router Lobby', location: 'Lobby', active: true, ...wiring });
}

/** Products are created once; later edits (through the admin API) are kept. */
async function ensureProducts(tx: EntityManager): Promise<ProductEntity[]> {
  const repo = tx.getRepository(ProductEntity);
  for (const product of DEMO_PRODUCTS) {
    if (await repo.existsBy({ routerId: DEMO_ROUTER_ID, profileName: product.profileName })) continue;
    await repo.save({ companyId: DEMO_COMPANY_ID, routerId: DEMO_ROUTER_ID, currency: 'MXN', active: true, ...product });
  }
  return repo.find({ where: { routerId: DEMO_ROUTER_ID, active: true }, order: { displayOrder: 'ASC', id: 'ASC' } });
}

/** Vouchers to sell at the counter: a small batch of the first product, created once; returns one unused code. */
async function ensureVouchers(tx: EntityManager, { secrets }: SeedInput, products: ProductEntity[]): Promise<DemoData['voucher']> {
  const repo = tx.getRepository(VoucherBatchEntity);
  let batch = await repo.findOne({ where: { companyId: DEMO_COMPANY_ID, revokedAt: IsNull() }, order: { id: 'ASC' } });
  if (!batch) {
    if (products.length === 0) return undefined;
    const request = CreateBatchRequest.parse({ producto_id: products[0].id, cantidad: 10, nota: 'Demo' });
    batch = await repo.findOneByOrFail({ id: (await insertBatch(tx, secrets, null, DEMO_COMPANY_ID, request)).id });
  }
  const [unused] = (await findVoucherRows(tx, batch, { status: 'unused', limit: 1 })).rows;
  return unused && { batchId: batch.id, code: secrets.decrypt(unused.codeEncrypted) };
}

/** Reuses the stored key while its row exists unrevoked and unexpired and it verifies; otherwise rotates it. */
async function ensureApiKey(tx: EntityManager, { config, secrets, storedApiKey }: SeedInput): Promise<DemoData['apiKey']> {
  const repo = tx.getRepository(RouterApiKeyEntity);
  if (storedApiKey?.startsWith(API_KEY_PREFIX)) {
    const jwt = storedApiKey.slice(API_KEY_PREFIX.length);
    const row = await repo.findOneBy({ keyHash: sha256Hex(jwt), routerId: DEMO_ROUTER_ID, revoked: false });
    const verifies = await jwtVerify(jwt, new TextEncoder().encode(config.JWT_APIKEY_SECRET), { algorithms: [config.JWT_ALGORITHM] }).then(
      () => true,
      () => false,
    );
    if (row && verifies && row.expiresAt > new Date()) return { value: storedApiKey, expiresAt: row.expiresAt, reused: true };
  }
  // At most one unrevoked key per router (unique index): retire the current one first.
  await repo.update({ routerId: DEMO_ROUTER_ID, revoked: false }, { revoked: true, revokedAt: new Date() });
  const issued = await issueRouterApiKey(
    tx,
    apiKeySettings(config),
    secrets,
    { companyId: DEMO_COMPANY_ID, routerId: DEMO_ROUTER_ID },
  );
  return { value: issued.apiKey, expiresAt: issued.expiresAt, reused: false };
}
