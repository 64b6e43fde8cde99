import bcrypt from 'bcrypt';
import type { DataSource } from 'typeorm';
import { AdminUserEntity } from './entities';

export interface SuperAdminSeed {
  email: string;
  password: string;
  bcryptRounds: number;
}

/**
 * Creates the first super admin from SUPER_ADMIN_INITIAL_EMAIL / _PASSWORD when no super admin exists. Idempotent and
 * safe when several processes start at once (transaction-scoped advisory lock). The password is never logged.
 */
export async function ensureSuperAdmin(dataSource: DataSource, seed: SuperAdminSeed): Promise<'created' | 'exists'> {
  const passwordHash = await bcrypt.hash(seed.password, seed.bcryptRounds);
  return dataSource.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('pagos-hotspot:bootstrap-super-admin'))`);
    const existing = await tx.getRepository(AdminUserEntity).count({ where: { role: 'super_admin' } });
    if (existing > 0) return 'exists';
    await tx.insert(AdminUserEntity, {
      role: 'super_admin',
      companyId: null,
      email: seed.email.trim().toLowerCase(),
      passwordHash,
      name: 'Super Admin',
      active: true,
    });
    return 'created';
  });
}
