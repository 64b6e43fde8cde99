import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { DataSource } from 'typeorm';
import { apiKeySettings, issueRouterApiKey, type IssuedApiKey } from '../../api/auth/router-keys';
import { AdminUserEntity, CompanyEntity, ProductEntity, RouterEntity } from '../../db/entities';
import type { AdminRole } from '../../db/entities/admin-user.entity';
import type { Config } from '../../shared/config';
import { SecretBox } from '../../shared/secrets';

/** Rows for tests, written straight to the database. Every helper returns the saved entity. */

const suffix = () => randomBytes(4).toString('hex').toUpperCase();

export async function createCompany(ds: DataSource, values: Partial<CompanyEntity> = {}): Promise<CompanyEntity> {
  return ds.getRepository(CompanyEntity).save({
    id: `EMP_${suffix()}${suffix().slice(0, 2)}`,
    name: 'Café Internet',
    contactEmail: 'contacto@cafe.example',
    active: true,
    conektaMode: 'test',
    mercadoPagoMode: 'test',
    telegramEnabled: false,
    ...values,
  });
}

export async function createAdmin(
  ds: DataSource,
  values: { email?: string; password?: string; role?: AdminRole; companyId?: string | null; active?: boolean; name?: string } = {},
): Promise<AdminUserEntity & { password: string }> {
  const password = values.password ?? 'admin-password-1';
  const role = values.role ?? 'super_admin';
  const saved = await ds.getRepository(AdminUserEntity).save({
    email: values.email ?? `admin-${suffix().toLowerCase()}@example.com`,
    passwordHash: await bcrypt.hash(password, 4),
    role,
    companyId: role === 'super_admin' ? null : (values.companyId ?? null),
    name: values.name ?? 'Admin',
    active: values.active ?? true,
  });
  return Object.assign(saved, { password });
}

export async function createRouter(
  ds: DataSource,
  secrets: SecretBox,
  companyId: string,
  values: Partial<RouterEntity> & { password?: string } = {},
): Promise<RouterEntity> {
  const { password = 'router-secret', ...rest } = values;
  return ds.getRepository(RouterEntity).save({
    id: `RTR_${suffix()}`,
    companyId,
    name: 'Router Lobby',
    host: '127.0.0.1',
    port: 8728,
    useTls: false,
    tlsVerify: true,
    apiUser: 'admin',
    apiPasswordEncrypted: secrets.encrypt(password),
    location: 'Lobby',
    active: true,
    ...rest,
  });
}

export async function createProduct(
  ds: DataSource,
  router: Pick<RouterEntity, 'id' | 'companyId'>,
  values: Partial<ProductEntity> = {},
): Promise<ProductEntity> {
  return ds.getRepository(ProductEntity).save({
    companyId: router.companyId,
    routerId: router.id,
    profileId: '*1',
    profileName: 'default',
    name: '1 hora',
    description: 'Internet por una hora',
    priceCents: 2000,
    currency: 'MXN',
    validitySeconds: 3600,
    uptimeLimitSeconds: null,
    details: [],
    active: true,
    displayOrder: 0,
    featured: false,
    ...values,
  });
}

export async function issueKey(ds: DataSource, config: Config, router: Pick<RouterEntity, 'id' | 'companyId'>, now?: Date): Promise<IssuedApiKey> {
  return issueRouterApiKey(
    ds.manager,
    apiKeySettings(config),
    new SecretBox(config.SECRET_KEY, config.ENCRYPTION_KEY_MERCADO_PAGO || undefined),
    { companyId: router.companyId, routerId: router.id },
    now,
  );
}
