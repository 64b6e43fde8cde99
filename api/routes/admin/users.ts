import { createUser, findUser, listUsers, resetPassword, setUserActive, toUserResponse, updateUser } from '../../admin/users';
import type { RouteContext, ZodApp } from '../../context';
import { pageBody } from '../../http';
import { actorOf } from '../../plugins/auth';
import { adminSchema, NOT_FOUND } from '../../schemas/admin/common';
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

const TAGS = ['Super Admin - Usuarios'];

/** Super admin: admin users — create, list, read, update. */
export function registerUserRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('super_admin');

  app.post(
    '/admin/usuarios',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Create an admin user (password policy enforced, stored as bcrypt)',
        body: CreateUserRequest,
        response: { 200: UserCreatedResponse, ...NOT_FOUND, 400: ErrorResponse },
      }),
    },
    async (request) => ({ message: 'Usuario creado exitosamente', usuario: toUserResponse(await createUser(ctx, actorOf(request), request.body)) }),
  );

  app.get(
    '/admin/usuarios',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'List admin users, filtered by ?rol=&empresa_id=&activo= (paginated; total in X-Total-Count)',
        querystring: UserListQuery,
        response: { 200: UserResponse.array() },
      }),
    },
    async (request, reply) => pageBody(reply, await listUsers(ctx, request.query), toUserResponse),
  );

  app.get(
    '/admin/usuarios/:usuario_id',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Get an admin user',
        params: UserParams,
        response: { 200: UserResponse, ...NOT_FOUND },
      }),
    },
    async (request) => toUserResponse(await findUser(ctx.dataSource.manager, request.params.usuario_id)),
  );

  app.put(
    '/admin/usuarios/:usuario_id',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: "Update an admin user's email, name, role or company; a change of role or company ends their sessions",
        params: UserParams,
        body: UpdateUserRequest,
        response: { 200: UserResponse, ...NOT_FOUND, 400: ErrorResponse },
      }),
    },
    async (request) => toUserResponse(await updateUser(ctx, actorOf(request), request.params.usuario_id, request.body)),
  );
}

/** Super admin: an admin user's access — activate, deactivate (never oneself), reset the password; each ends sessions as needed. */
export function registerUserAccessRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('super_admin');

  app.put(
    '/admin/usuarios/:usuario_id/activo',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Activate or deactivate an admin user (not oneself); deactivation ends their sessions at once',
        params: UserParams,
        body: SetUserActiveRequest,
        response: { 200: UserActiveResponse, ...NOT_FOUND, 400: ErrorResponse },
      }),
    },
    async (request) => setUserActive(ctx, actorOf(request), request.params.usuario_id, request.body.activo),
  );

  app.put(
    '/admin/usuarios/:usuario_id/toggle-activo',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: "Flip an admin user's active flag (the original's endpoint; prefer PUT …/activo)",
        params: UserParams,
        response: { 200: UserActiveResponse, ...NOT_FOUND, 400: ErrorResponse },
      }),
    },
    async (request) => setUserActive(ctx, actorOf(request), request.params.usuario_id, 'toggle'),
  );

  app.post(
    '/admin/usuarios/:usuario_id/reset-password',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Set a new password for an admin user; every session of the user ends',
        params: UserParams,
        body: ResetPasswordRequest,
        response: { 200: ResetPasswordResponse, ...NOT_FOUND },
      }),
    },
    async (request) => {
      const id = request.params.usuario_id;
      await resetPassword(ctx, actorOf(request), id, request.body.new_password);
      return { message: 'Contraseña restablecida exitosamente', usuario_id: id };
    },
  );
}
