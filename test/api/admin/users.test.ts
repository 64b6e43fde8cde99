import { AdminUserEntity } from '../../../db/entities';
import { auditRows, login, session, setupAdminTest, type AdminTest } from './support';

describe('super admin: admin users', () => {
  let s: AdminTest;
  beforeAll(async () => {
    s = await setupAdminTest();
  });
  afterAll(() => s.close());

  const inject = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: Record<string, unknown>, headers = s.superAdmin.headers) =>
    s.t.app.inject({ method, url, headers, payload });
  const logout = (headers: { authorization: string }) => s.t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers });

  it('creates a company admin with a bcrypt hash of BCRYPT_ROUNDS, and the user can log in', async () => {
    const response = await inject('POST', '/admin/usuarios', {
      email: 'Nuevo@Cafe.example',
      password: 'cafe-secreto-1',
      nombre: 'Nuevo',
      rol: 'cliente_admin',
      empresa_id: s.company.id,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      message: 'Usuario creado exitosamente',
      usuario: {
        id: expect.any(Number),
        email: 'nuevo@cafe.example',
        nombre: 'Nuevo',
        rol: 'cliente_admin',
        empresa_id: s.company.id,
        activo: true,
        ultimo_login: null,
        creado_en: expect.any(String),
      },
    });
    const row = await s.ds.getRepository(AdminUserEntity).findOneByOrFail({ email: 'nuevo@cafe.example' });
    expect(row.passwordHash).toMatch(/^\$2[aby]\$04\$/);
    await expect(login(s.t, 'nuevo@cafe.example', 'cafe-secreto-1')).resolves.toBeDefined();
    expect((await auditRows(s.ds, 'user.created')).at(-1)).toMatchObject({
      target_id: String(row.id),
      detail: { email: 'nuevo@cafe.example', rol: 'cliente_admin' },
    });
    expect(JSON.stringify(await auditRows(s.ds, 'user.created'))).not.toContain('cafe-secreto-1');
  });

  it('validates email, password policy and role (422 listing fields)', async () => {
    const response = await inject('POST', '/admin/usuarios', { email: 'no-email', password: 'short', nombre: '', rol: 'root' });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail).toEqual([
      { loc: ['body', 'email'], msg: 'value is not a valid email address', type: 'value_error' },
      { loc: ['body', 'password'], msg: 'La contraseña debe tener al menos 8 caracteres', type: 'string_too_short' },
      { loc: ['body', 'password'], msg: 'La contraseña debe incluir letras y números', type: 'value_error' },
      { loc: ['body', 'nombre'], msg: expect.any(String), type: 'string_too_short' },
      { loc: ['body', 'rol'], msg: "Input should be 'super_admin' or 'cliente_admin'", type: 'literal_error' },
    ]);
    const weak = await inject('POST', '/admin/usuarios', {
      email: 'a@b.example',
      password: 'onlyletters',
      nombre: 'x',
      rol: 'super_admin',
    });
    expect(weak.json().detail).toEqual([
      { loc: ['body', 'password'], msg: 'La contraseña debe incluir letras y números', type: 'value_error' },
    ]);
  });

  it.each([
    [{ rol: 'cliente_admin' }, 400, 'cliente_admin requiere empresa_id'],
    [{ rol: 'super_admin', empresa_id: 'EMP_X' }, 400, 'super_admin no debe tener empresa_id'],
    [{ rol: 'cliente_admin', empresa_id: 'EMP_NOPE' }, 404, 'Empresa no encontrada'],
  ])('applies the role rules: %j → %i', async (fields, status, detail) => {
    const response = await inject('POST', '/admin/usuarios', {
      email: `r${status}@x.example`,
      password: 'password-123',
      nombre: 'x',
      ...fields,
    });
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ detail });
  });

  it('refuses an email already registered, whatever its case', async () => {
    const payload = { email: 'TWICE@x.example', password: 'password-123', nombre: 'x', rol: 'super_admin' };
    const [a, b] = await Promise.all([
      inject('POST', '/admin/usuarios', payload),
      inject('POST', '/admin/usuarios', { ...payload, email: 'twice@X.example' }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 400]);
    expect((a.statusCode === 400 ? a : b).json()).toEqual({ detail: 'El email ya está registrado' });
  });

  it('lists with ?rol=&empresa_id=&activo= filters, paginated', async () => {
    const byCompany = await inject('GET', `/admin/usuarios?empresa_id=${s.other.id}`);
    expect(byCompany.json().map((u: { id: number }) => u.id)).toEqual([s.otherAdmin.user.id]);
    const supers = await inject('GET', '/admin/usuarios?rol=super_admin&limit=1');
    expect(supers.json()).toHaveLength(1);
    expect(Number(supers.headers['x-total-count'])).toBeGreaterThanOrEqual(2);
    expect((await inject('GET', '/admin/usuarios?rol=root')).statusCode).toBe(422);
  });

  it('gets one user or 404', async () => {
    expect((await inject('GET', `/admin/usuarios/${s.companyAdmin.user.id}`)).json()).toMatchObject({
      email: s.companyAdmin.user.email,
      rol: 'cliente_admin',
    });
    const missing = await inject('GET', '/admin/usuarios/999999');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: 'Usuario no encontrado' });
  });

  it('updates name, email and company; moving a user ends their sessions', async () => {
    const user = await session(s.t, s.ds, 'cliente_admin', s.company.id);
    const renamed = await inject('PUT', `/admin/usuarios/${user.user.id}`, { nombre: 'Renombrado', email: 'Renamed@x.example' });
    expect(renamed.json()).toMatchObject({ nombre: 'Renombrado', email: 'renamed@x.example', empresa_id: s.company.id });
    expect((await logout(user.headers)).statusCode).toBe(200); // a rename keeps the session

    const again = await session(s.t, s.ds, 'cliente_admin', s.company.id);
    const moved = await inject('PUT', `/admin/usuarios/${again.user.id}`, { empresa_id: s.other.id });
    expect(moved.json()).toMatchObject({ empresa_id: s.other.id });
    expect((await logout(again.headers)).statusCode).toBe(401);
    expect((await auditRows(s.ds, 'user.updated')).at(-1)?.detail).toEqual({ fields: ['companyId'] });

    const promoted = await inject('PUT', `/admin/usuarios/${again.user.id}`, { rol: 'super_admin' });
    expect(promoted.json()).toMatchObject({ rol: 'super_admin', empresa_id: null });
    expect(
      (await inject('PUT', `/admin/usuarios/${s.superAdmin.user.id}`, { rol: 'cliente_admin', empresa_id: s.company.id })).json(),
    ).toEqual({
      detail: 'No puedes cambiar tu propio rol',
    });
    expect((await inject('PUT', `/admin/usuarios/${again.user.id}`, { email: s.companyAdmin.user.email.toUpperCase() })).json()).toEqual({
      detail: 'El email ya está registrado',
    });
    expect((await inject('PUT', '/admin/usuarios/999999', { nombre: 'x' })).statusCode).toBe(404);
  });

  it('deactivates a user (ending their sessions at once), never oneself, and keeps the original toggle', async () => {
    const user = await session(s.t, s.ds, 'cliente_admin', s.company.id);
    const off = await inject('PUT', `/admin/usuarios/${user.user.id}/activo`, { activo: false });
    expect(off.json()).toEqual({ message: 'Usuario desactivado', usuario_id: user.user.id, activo: false });
    expect((await logout(user.headers)).statusCode).toBe(401);

    const toggled = await inject('PUT', `/admin/usuarios/${user.user.id}/toggle-activo`);
    expect(toggled.json()).toEqual({ message: 'Usuario activado', usuario_id: user.user.id, activo: true });
    expect((await logout(user.headers)).statusCode).toBe(401); // a revoked session stays revoked
    await expect(login(s.t, user.user.email, user.user.password)).resolves.toBeDefined();

    for (const response of [
      await inject('PUT', `/admin/usuarios/${s.superAdmin.user.id}/activo`, { activo: false }),
      await inject('PUT', `/admin/usuarios/${s.superAdmin.user.id}/toggle-activo`),
    ]) {
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ detail: 'No puedes desactivar tu propio usuario' });
    }
    expect((await auditRows(s.ds, 'user.deactivated')).map((a) => a.target_id)).toContain(String(user.user.id));
  });

  it('resets a password: the old one and every session stop working', async () => {
    const user = await session(s.t, s.ds, 'cliente_admin', s.company.id);
    const weak = await inject('POST', `/admin/usuarios/${user.user.id}/reset-password`, { new_password: '1234567' });
    expect(weak.statusCode).toBe(422);
    const response = await inject('POST', `/admin/usuarios/${user.user.id}/reset-password`, { new_password: 'otra-clave-99' });
    expect(response.json()).toEqual({ message: 'Contraseña restablecida exitosamente', usuario_id: user.user.id });
    expect((await logout(user.headers)).statusCode).toBe(401);
    await expect(login(s.t, user.user.email, user.user.password)).rejects.toThrow(/401/);
    await expect(login(s.t, user.user.email, 'otra-clave-99')).resolves.toBeDefined();
    const [audit] = await auditRows(s.ds, 'user.password_reset');
    expect(JSON.stringify(audit)).not.toContain('otra-clave-99');
  });
});
