import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CompanyEntity, PurchaseEntity, PurchaseEventEntity, type ProductEntity, type RouterEntity } from '../../../db/entities';
import type { AdminRole } from '../../../db/entities/admin-user.entity';
import type { PurchaseStatus } from '../../../domain/purchase';
import type { Config } from '../../../shared/config';
import { buildTestApp, type TestApp } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { FakeWorkflows } from '../../helpers/fake-workflows';
import { createAdmin, createCompany } from '../../helpers/fixtures';

/** One admin-API test file's world: a fresh database, the app with fake workflows, and logged-in admins. */
export interface AdminTest {
  db: TestDatabase;
  ds: DataSource;
  t: TestApp;
  workflows: FakeWorkflows;
  config: Config;
  /** A super admin's auth headers. */
  superAdmin: Session;
  /** A company admin of `company`, and of another company (`other`), for tenancy tests. */
  company: CompanyEntity;
  companyAdmin: Session;
  other: CompanyEntity;
  otherAdmin: Session;
  close(): Promise<void>;
}

export interface Session {
  user: { id: number; email: string; password: string };
  headers: { authorization: string };
}

const randomIp = () => `10.${[1, 2, 3].map(() => randomBytes(1)[0]).join('.')}`;

/** Logs an admin in through the API (a distinct client IP each time, clear of the per-IP login limit). */
export async function login(t: TestApp, email: string, password: string): Promise<{ authorization: string }> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    remoteAddress: randomIp(),
  });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  return { authorization: `Bearer ${response.json().access_token}` };
}

/** Creates an admin and logs it in. */
export async function session(t: TestApp, ds: DataSource, role: AdminRole, companyId: string | null = null): Promise<Session> {
  const user = await createAdmin(ds, { role, companyId });
  return { user: { id: user.id, email: user.email, password: user.password }, headers: await login(t, user.email, user.password) };
}

export async function setupAdminTest(): Promise<AdminTest> {
  const config = testConfig({ PUBLIC_BASE_URL: 'https://pagos.example.com' });
  const db = await createTestDatabase();
  const workflows = new FakeWorkflows();
  const t = await buildTestApp(db, config, { workflows });
  const ds = db.dataSource;
  const company = await createCompany(ds, { name: 'Café Norte' });
  const other = await createCompany(ds, { name: 'Hotel Sur' });
  return {
    db,
    ds,
    t,
    workflows,
    config,
    company,
    other,
    superAdmin: await session(t, ds, 'super_admin'),
    companyAdmin: await session(t, ds, 'cliente_admin', company.id),
    otherAdmin: await session(t, ds, 'cliente_admin', other.id),
    async close() {
      await t.close();
      await db.drop();
    },
  };
}

/** A purchase row as the workflow would have left it; by default an active, paid 20 MXN purchase. */
export async function createPurchase(
  ds: DataSource,
  router: Pick<RouterEntity, 'id' | 'companyId' | 'name'>,
  product: Pick<ProductEntity, 'id' | 'name' | 'profileName'> | null,
  values: Partial<PurchaseEntity> & { status?: PurchaseStatus } = {},
): Promise<PurchaseEntity> {
  const id = randomUUID();
  const status = values.status ?? 'active';
  const paid = !['created', 'charging', 'pending', 'declined', 'failed', 'cancelled'].includes(status);
  const now = new Date();
  return ds.getRepository(PurchaseEntity).save({
    id,
    workflowId: `purchase:${router.companyId}:${id}`,
    companyId: router.companyId,
    routerId: router.id,
    routerName: router.name,
    productId: product?.id ?? null,
    productName: product?.name ?? '1 hora',
    profileName: product?.profileName ?? 'default',
    validitySeconds: 3600,
    uptimeLimitSeconds: null,
    gateway: 'conekta',
    gatewayReference: `ord_${randomBytes(6).toString('hex')}`,
    gatewayStatus: paid ? 'paid' : null,
    amountCents: 2000,
    currency: 'MXN',
    refundedCents: 0,
    customerName: 'Ana López',
    customerEmail: 'ana@example.com',
    customerPhone: '+525512345678',
    userType: 'pin',
    hotspotUsername: `PT-${randomBytes(3).toString('hex')}`,
    hotspotPasswordEncrypted: null,
    clientMac: 'AA:BB:CC:DD:EE:01',
    clientIp: '192.168.88.10',
    autoConnect: false,
    gatewayRequest: {},
    status,
    paidAt: paid ? now : null,
    activatedAt: status === 'active' ? now : null,
    expiresAt: status === 'active' ? new Date(now.getTime() + 3_600_000) : null,
    ...values,
  });
}

/** Appends a history event to a purchase. */
export async function addEvent(ds: DataSource, purchaseId: string, values: Partial<PurchaseEventEntity>): Promise<void> {
  await ds.getRepository(PurchaseEventEntity).save({ purchaseId, type: 'status_changed', source: 'workflow', detail: {}, ...values });
}

/** The company row as stored, for asserting what reached the database. */
export function companyRow(ds: DataSource, id: string): Promise<CompanyEntity> {
  return ds.getRepository(CompanyEntity).findOneByOrFail({ id });
}

/** Audit rows of one action, oldest first. */
export async function auditRows(
  ds: DataSource,
  action: string,
): Promise<{ actor_email: string; company_id: string | null; target_id: string; detail: Record<string, unknown> }[]> {
  return ds.query(`SELECT actor_email, company_id, target_id, detail FROM audit_log WHERE action = $1 ORDER BY id`, [action]);
}
