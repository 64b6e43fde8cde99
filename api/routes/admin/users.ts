import { createUser, findUser, listUsers, resetPassword, setUserActive, toUserResponse, updateUser } from '../../admin/users';
import type { RouteContext, ZodApp } from '../../context';
import { pageBody } from '../../http';
import { actorOf, SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS, NOT_FOUND } from '../../schemas/admin/common';
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

/** Super admin: admin users — create, list, read, update, (de)activate, reset a password. */
export function registerUserRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('super_admin');

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
    async (request) => ({ message: 'Usuario creado exitosamente', usuario: toUserResponse(await createUser(ctx, actorOf(request), request.body)) }),
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
    async (request, reply) => pageBody(reply, await listUsers(ctx, request.query), toUserResponse),
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
    async (request) => toUserResponse(await updateUser(ctx, actorOf(request), request.params.usuario_id, request.body)),
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
    async (request) => setUserActive(ctx, actorOf(request), request.params.usuario_id, request.body.activo),
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
    async (request) => setUserActive(ctx, actorOf(request), request.params.usuario_id, 'toggle'),
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
      await resetPassword(ctx, actorOf(request), id, request.body.new_password);
      return { message: 'Contraseña restablecida exitosamente', usuario_id: id };
    },
  );
}
