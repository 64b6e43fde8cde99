import bcrypt from 'bcrypt';
import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import { AdminUserEntity, CompanyEntity } from '../../../db/entities';
import type { AdminRole } from '../../../db/entities/admin-user.entity';
import { recordAudit } from '../../../db/repositories/audit';
import { findPage } from '../../../db/repositories/pagination';
import { revokeAllSessions } from '../../auth/sessions';
import type { RouteContext, ZodApp } from '../../app';
import { HttpError } from '../../errors';
import { SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS, iso, isoOrNull, NOT_FOUND } from '../../schemas/admin/common';
import {
  CreateUserRequest,
  ResetPasswordRequest,
  ResetPasswordResponse,
  SetUserActiveRequest,
  UpdateUserRequest,
  UserActiveResponse,
  UserCreatedResponse,
  UserListQuery,
  UserParams,
  UserResponse,
} from '../../schemas/admin/users';
import { ErrorResponse } from '../../schemas/common';
import { actorOf, withTotal } from './scope';

const TAGS = ['Super Admin - Usuarios'];
const USER_NOT_FOUND = 'Usuario no encontrado';
const EMAIL_TAKEN = 'El email ya está registrado';

function toUserResponse(u: AdminUserEntity): z.output<typeof UserResponse> {
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

/** The original's role rules: a company admin belongs to an existing company, a super admin to none. */
async function checkRoleCompany(manager: EntityManager, role: AdminRole, companyId: string | null): Promise<void> {
  if (role === 'cliente_admin' && !companyId) throw new HttpError(400, 'cliente_admin requiere empresa_id');
  if (role === 'super_admin' && companyId) throw new HttpError(400, 'super_admin no debe tener empresa_id');
  if (companyId && !(await manager.existsBy(CompanyEntity, { id: companyId }))) throw new HttpError(404, 'Empresa no encontrada');
}

async function checkEmailFree(manager: EntityManager, email: string, exceptId?: number): Promise<void> {
  const query = manager.getRepository(AdminUserEntity).createQueryBuilder('u').where('lower(u.email) = :email', { email });
  if (exceptId !== undefined) query.andWhere('u.id <> :exceptId', { exceptId });
  if (await query.getExists()) throw new HttpError(400, EMAIL_TAKEN);
}

/**
 * Runs a change that may take an email in a transaction. Two requests taking the same email at once both pass the
 * check; the unique index decides, and the loser gets the same 400.
 */
async function withUniqueEmail<T>(ctx: RouteContext, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  try {
    return await ctx.dataSource.transaction(work);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new HttpError(400, EMAIL_TAKEN);
    throw error;
  }
}

async function findUser(manager: EntityManager, id: number, lock = false): Promise<AdminUserEntity> {
  const user = await manager
    .getRepository(AdminUserEntity)
    .findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  if (!user) throw new HttpError(404, USER_NOT_FOUND);
  return user;
}

/** Super admin: admin users (spec §3.5), with update, explicit activation and password reset. */
export function registerUserRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('super_admin');

  /** Sets (or flips) a user's active flag; never one's own, and deactivation ends the user's sessions. */
  const setActive = async (actor: { id: number; email: string }, id: number, active: boolean | 'toggle') => {
    const activo = await ctx.dataSource.transaction(async (tx) => {
      const user = await findUser(tx, id, true);
      const next = active === 'toggle' ? !user.active : active;
      if (!next && id === actor.id) throw new HttpError(400, 'No puedes desactivar tu propio usuario');
      await tx.update(AdminUserEntity, { id }, { active: next, updatedAt: new Date() });
      if (!next) await revokeAllSessions(tx.query.bind(tx), id);
      await recordAudit(tx, {
        actor,
        companyId: user.companyId,
        action: next ? 'user.activated' : 'user.deactivated',
        targetType: 'user',
        targetId: id,
      });
      return next;
    });
    return { message: `Usuario ${activo ? 'activado' : 'desactivado'}`, usuario_id: id, activo };
  };

  app.post(
    '/admin/usuarios',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Create an admin user (password policy enforced, stored as bcrypt)',
        security: SECURITY.admin,
        body: CreateUserRequest,
        response: { 200: UserCreatedResponse, ...ADMIN_ERRORS, ...NOT_FOUND, 400: ErrorResponse },
      },
    },
    async (request) => {
      const body = request.body;
      const email = body.email.trim().toLowerCase();
      const companyId = body.empresa_id || null;
      const passwordHash = await bcrypt.hash(body.password, ctx.config.BCRYPT_ROUNDS);
      const user = await withUniqueEmail(ctx, async (tx) => {
        await checkRoleCompany(tx, body.rol, companyId);
        await checkEmailFree(tx, email);
        const saved = await tx
          .getRepository(AdminUserEntity)
          .save({ email, passwordHash, name: body.nombre, role: body.rol, companyId, active: true });
        await recordAudit(tx, {
          actor: actorOf(request),
          companyId,
          action: 'user.created',
          targetType: 'user',
          targetId: saved.id,
          detail: { email, rol: body.rol },
        });
        return saved;
      });
      return { message: 'Usuario creado exitosamente', usuario: toUserResponse(await findUser(ctx.dataSource.manager, user.id)) };
    },
  );

  app.get(
    '/admin/usuarios',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'List admin users, filtered by ?rol=&empresa_id=&activo= (paginated; total in X-Total-Count)',
        security: SECURITY.admin,
        querystring: UserListQuery,
        response: { 200: UserResponse.array(), ...ADMIN_ERRORS },
      },
    },
    async (request, reply) => {
      const { rol, empresa_id, activo, ...page } = request.query;
      const query = ctx.dataSource.getRepository(AdminUserEntity).createQueryBuilder('u').orderBy('u.id');
      if (rol !== undefined) query.andWhere('u.role = :rol', { rol });
      if (empresa_id !== undefined) query.andWhere('u.company_id = :empresa_id', { empresa_id });
      if (activo !== undefined) query.andWhere('u.active = :activo', { activo });
      const { rows, total } = await findPage(query, page);
      withTotal(reply, total);
      return rows.map(toUserResponse);
    },
  );

  app.get(
    '/admin/usuarios/:usuario_id',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Get an admin user',
        security: SECURITY.admin,
        params: UserParams,
        response: { 200: UserResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => toUserResponse(await findUser(ctx.dataSource.manager, request.params.usuario_id)),
  );

  app.put(
    '/admin/usuarios/:usuario_id',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: "Update an admin user's email, name, role or company; a change of role or company ends their sessions",
        security: SECURITY.admin,
        params: UserParams,
        body: UpdateUserRequest,
        response: { 200: UserResponse, ...ADMIN_ERRORS, ...NOT_FOUND, 400: ErrorResponse },
      },
    },
    async (request) => {
      const id = request.params.usuario_id;
      const body = request.body;
      const actor = actorOf(request);
      await withUniqueEmail(ctx, async (tx) => {
        const user = await findUser(tx, id, true);
        const role = body.rol ?? user.role;
        if (role !== user.role && id === actor.id) throw new HttpError(400, 'No puedes cambiar tu propio rol');
        // Becoming a super admin drops the company unless one is (wrongly) given.
        const companyId = body.empresa_id !== undefined ? body.empresa_id || null : role === 'super_admin' ? null : user.companyId;
        await checkRoleCompany(tx, role, companyId);
        const email = body.email?.trim().toLowerCase();
        if (email !== undefined && email !== user.email) await checkEmailFree(tx, email, id);
        const changes: Partial<AdminUserEntity> = { email, name: body.nombre, role, companyId };
        const fields = (Object.keys(changes) as (keyof AdminUserEntity)[]).filter(
          (key) => changes[key] !== undefined && changes[key] !== user[key],
        );
        if (fields.length === 0) return;
        await tx.update(AdminUserEntity, { id }, { ...Object.fromEntries(fields.map((f) => [f, changes[f]])), updatedAt: new Date() });
        if (fields.includes('role') || fields.includes('companyId')) await revokeAllSessions(tx.query.bind(tx), id);
        await recordAudit(tx, {
          actor,
          companyId: companyId ?? user.companyId,
          action: 'user.updated',
          targetType: 'user',
          targetId: id,
          detail: { fields },
        });
      });
      return toUserResponse(await findUser(ctx.dataSource.manager, id));
    },
  );

  app.put(
    '/admin/usuarios/:usuario_id/activo',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Activate or deactivate an admin user (not oneself); deactivation ends their sessions at once',
        security: SECURITY.admin,
        params: UserParams,
        body: SetUserActiveRequest,
        response: { 200: UserActiveResponse, ...ADMIN_ERRORS, ...NOT_FOUND, 400: ErrorResponse },
      },
    },
    async (request) => setActive(actorOf(request), request.params.usuario_id, request.body.activo),
  );

  app.put(
    '/admin/usuarios/:usuario_id/toggle-activo',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: "Flip an admin user's active flag (the original's endpoint; prefer PUT …/activo)",
        security: SECURITY.admin,
        params: UserParams,
        response: { 200: UserActiveResponse, ...ADMIN_ERRORS, ...NOT_FOUND, 400: ErrorResponse },
      },
    },
    async (request) => setActive(actorOf(request), request.params.usuario_id, 'toggle'),
  );

  app.post(
    '/admin/usuarios/:usuario_id/reset-password',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Set a new password for an admin user; every session of the user ends',
        security: SECURITY.admin,
        params: UserParams,
        body: ResetPasswordRequest,
        response: { 200: ResetPasswordResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const id = request.params.usuario_id;
      const passwordHash = await bcrypt.hash(request.body.new_password, ctx.config.BCRYPT_ROUNDS);
      await ctx.dataSource.transaction(async (tx) => {
        const user = await findUser(tx, id, true);
        await tx.update(AdminUserEntity, { id }, { passwordHash, updatedAt: new Date() });
        await revokeAllSessions(tx.query.bind(tx), id);
        await recordAudit(tx, {
          actor: actorOf(request),
          companyId: user.companyId,
          action: 'user.password_reset',
          targetType: 'user',
          targetId: id,
        });
      });
      return { message: 'Contraseña restablecida exitosamente', usuario_id: id };
    },
  );
}
