import bcrypt from 'bcrypt';
import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { AdminUserEntity, CompanyEntity } from '../../db/entities';
import type { AdminRole } from '../../db/entities/admin-user.entity';
import { recordAudit, type AuditActor } from '../../db/repositories/audit';
import { findPage, type Page } from '../../db/repositories/pagination';
import { revokeAllSessions } from '../auth/sessions';
import type { AppDeps } from '../context';
import { iso, isoOrNull } from '../schemas/admin/common';
import type { CreateUserRequest, UpdateUserRequest, UserActiveResponse, UserListQuery, UserResponse } from '../schemas/admin/users';

/** Admin users (super admin): create, list, update, activate and reset passwords; a change of access ends sessions. */

type UserDeps = Pick<AppDeps, 'dataSource' | 'config'>;

const USER_NOT_FOUND = 'Usuario no encontrado';
const EMAIL_TAKEN = 'El email ya está registrado';

export function toUserResponse(u: AdminUserEntity): z.output<typeof UserResponse> {
  return {
    id: u.id,
    email: u.email,
    nombre: u.name,
    rol: u.role,
    empresa_id: u.companyId,
    activo: u.active,
    ultimo_login: isoOrNull(u.lastLoginAt),
    creado_en: iso(u.createdAt),
  };
}

/** The role rules: a company admin belongs to an existing company, a super admin to none. */
async function checkRoleCompany(manager: EntityManager, role: AdminRole, companyId: string | null): Promise<void> {
  if (role === 'cliente_admin' && !companyId) throw new DomainError('BAD_REQUEST', 'cliente_admin requiere empresa_id');
  if (role === 'super_admin' && companyId) throw new DomainError('BAD_REQUEST', 'super_admin no debe tener empresa_id');
  if (companyId && !(await manager.existsBy(CompanyEntity, { id: companyId }))) throw new DomainError('NOT_FOUND', 'Empresa no encontrada');
}

async function checkEmailFree(manager: EntityManager, email: string, exceptId?: number): Promise<void> {
  const query = manager.getRepository(AdminUserEntity).createQueryBuilder('u').where('lower(u.email) = :email', { email });
  if (exceptId !== undefined) query.andWhere('u.id <> :exceptId', { exceptId });
  if (await query.getExists()) throw new DomainError('BAD_REQUEST', EMAIL_TAKEN);
}

/**
 * Runs a change that may take an email in a transaction. Two requests taking the same email at once both pass the
 * check; the unique index decides, and the loser gets the same 400.
 */
async function withUniqueEmail<T>(deps: UserDeps, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  try {
    return await deps.dataSource.transaction(work);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new DomainError('BAD_REQUEST', EMAIL_TAKEN);
    throw error;
  }
}

export async function findUser(manager: EntityManager, id: number, lock = false): Promise<AdminUserEntity> {
  const user = await manager
    .getRepository(AdminUserEntity)
    .findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  if (!user) throw new DomainError('NOT_FOUND', USER_NOT_FOUND);
  return user;
}

/** Sets (or flips) a user's active flag; never one's own, and deactivation ends the user's sessions. */
export async function setUserActive(deps: UserDeps, actor: AuditActor, id: number, active: boolean | 'toggle'): Promise<z.output<typeof UserActiveResponse>> {
  const activo = await deps.dataSource.transaction(async (tx) => {
    const user = await findUser(tx, id, true);
    const next = active === 'toggle' ? !user.active : active;
    if (!next && id === actor.id) throw new DomainError('BAD_REQUEST', 'No puedes desactivar tu propio usuario');
    await tx.update(AdminUserEntity, { id }, { active: next, updatedAt: new Date() });
    if (!next) await revokeAllSessions(tx.query.bind(tx), id);
    await recordAudit(tx, { actor, companyId: user.companyId, action: next ? 'user.activated' : 'user.deactivated', targetType: 'user', targetId: id });
    return next;
  });
  return { message: `Usuario ${activo ? 'activado' : 'desactivado'}`, usuario_id: id, activo };
}

/** Creates an admin user (password hashed with bcrypt) and returns it as read back. */
export async function createUser(deps: UserDeps, actor: AuditActor, body: z.output<typeof CreateUserRequest>): Promise<AdminUserEntity> {
  const email = body.email.trim().toLowerCase();
  const companyId = body.empresa_id || null;
  const passwordHash = await bcrypt.hash(body.password, deps.config.BCRYPT_ROUNDS);
  const user = await withUniqueEmail(deps, async (tx) => {
    await checkRoleCompany(tx, body.rol, companyId);
    await checkEmailFree(tx, email);
    const saved = await tx.getRepository(AdminUserEntity).save({ email, passwordHash, name: body.nombre, role: body.rol, companyId, active: true });
    await recordAudit(tx, { actor, companyId, action: 'user.created', targetType: 'user', targetId: saved.id, detail: { email, rol: body.rol } });
    return saved;
  });
  return findUser(deps.dataSource.manager, user.id);
}

/** Admin users by id, filtered by role, company and state. */
export function listUsers(deps: UserDeps, query: z.output<typeof UserListQuery>): Promise<Page<AdminUserEntity>> {
  const { rol, empresa_id, activo, ...page } = query;
  const rows = deps.dataSource.getRepository(AdminUserEntity).createQueryBuilder('u').orderBy('u.id');
  if (rol !== undefined) rows.andWhere('u.role = :rol', { rol });
  if (empresa_id !== undefined) rows.andWhere('u.company_id = :empresa_id', { empresa_id });
  if (activo !== undefined) rows.andWhere('u.active = :activo', { activo });
  return findPage(rows, page);
}

/** Changes a user's email, name, role or company; a change of role or company ends their sessions. */
export async function updateUser(deps: UserDeps, actor: AuditActor, id: number, body: z.output<typeof UpdateUserRequest>): Promise<AdminUserEntity> {
  await withUniqueEmail(deps, async (tx) => {
    const user = await findUser(tx, id, true);
    const role = body.rol ?? user.role;
    if (role !== user.role && id === actor.id) throw new DomainError('BAD_REQUEST', 'No puedes cambiar tu propio rol');
    // Becoming a super admin drops the company unless one is (wrongly) given.
    const companyId = body.empresa_id !== undefined ? body.empresa_id || null : role === 'super_admin' ? null : user.companyId;
    await checkRoleCompany(tx, role, companyId);
    const email = body.email?.trim().toLowerCase();
    if (email !== undefined && email !== user.email) await checkEmailFree(tx, email, id);
    const changes: Partial<AdminUserEntity> = { email, name: body.nombre, role, companyId };
    const fields = (Object.keys(changes) as (keyof AdminUserEntity)[]).filter((key) => changes[key] !== undefined && changes[key] !== user[key]);
    if (fields.length === 0) return;
    await tx.update(AdminUserEntity, { id }, { ...Object.fromEntries(fields.map((f) => [f, changes[f]])), updatedAt: new Date() });
    if (fields.includes('role') || fields.includes('companyId')) await revokeAllSessions(tx.query.bind(tx), id);
    await recordAudit(tx, { actor, companyId: companyId ?? user.companyId, action: 'user.updated', targetType: 'user', targetId: id, detail: { fields } });
  });
  return findUser(deps.dataSource.manager, id);
}

/** Sets a new password for a user and ends every session of theirs. */
export async function resetPassword(deps: UserDeps, actor: AuditActor, id: number, password: string): Promise<void> {
  const passwordHash = await bcrypt.hash(password, deps.config.BCRYPT_ROUNDS);
  await deps.dataSource.transaction(async (tx) => {
    const user = await findUser(tx, id, true);
    await tx.update(AdminUserEntity, { id }, { passwordHash, updatedAt: new Date() });
    await revokeAllSessions(tx.query.bind(tx), id);
    await recordAudit(tx, { actor, companyId: user.companyId, action: 'user.password_reset', targetType: 'user', targetId: id });
  });
}
