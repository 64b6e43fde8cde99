import { ensureSuperAdmin } from '../../db/bootstrap';
import { AdminUserEntity } from '../../db/entities';
import { testConfig } from '../helpers/config';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { buildTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createCompany } from '../helpers/fixtures';

describe('super admin bootstrap', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('creates the super admin once, even when processes start together', async () => {
    const seed = { email: 'Root@Example.com', password: 'root-password-123', bcryptRounds: 4 };
    const results = await Promise.all([ensureSuperAdmin(db.dataSource, seed), ensureSuperAdmin(db.dataSource, seed)]);
    expect(results.sort()).toEqual(['created', 'exists']);
    expect(await ensureSuperAdmin(db.dataSource, seed)).toBe('exists');
    const admins = await db.dataSource.getRepository(AdminUserEntity).find({ where: { role: 'super_admin' } });
    expect(admins).toHaveLength(1);
    expect(admins[0]).toMatchObject({ email: 'root@example.com', companyId: null, active: true });
    expect(admins[0].passwordHash).toMatch(/^\$2[aby]\$04\$/); // bcrypt with BCRYPT_ROUNDS
  });

  it('is enforced by the database: a company admin needs a company, a super admin has none', async () => {
    const company = await createCompany(db.dataSource);
    const repo = db.dataSource.getRepository(AdminUserEntity);
    const base = { passwordHash: 'x', name: 'n', active: true };
    await expect(repo.insert({ ...base, email: 'a@x.com', role: 'cliente_admin', companyId: null })).rejects.toThrow(/admin_users_company_matches_role/);
    await expect(repo.insert({ ...base, email: 'b@x.com', role: 'super_admin', companyId: company.id })).rejects.toThrow(/admin_users_company_matches_role/);
  });
});

describe('POST /api/v1/auth/login', () => {
  let db: TestDatabase;
  let t: TestApp;
  const config = testConfig();

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await buildTestApp(db, config);
    await ensureSuperAdmin(db.dataSource, {
      email: config.SUPER_ADMIN_INITIAL_EMAIL,
      password: config.SUPER_ADMIN_INITIAL_PASSWORD,
      bcryptRounds: 4,
    });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  const login = (email: string, password: string, ip = '10.0.0.1') =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress: ip });

  it('logs the bootstrapped super admin in with the original response shape', async () => {
    const response = await login(config.SUPER_ADMIN_INITIAL_EMAIL, config.SUPER_ADMIN_INITIAL_PASSWORD);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_at: expect.stringMatching(/Z$/),
      user: { id: expect.any(Number), email: 'root@example.com', nombre: 'Super Admin', rol: 'super_admin', empresa_id: null, activo: true },
    });
    const hours = (Date.parse(body.expires_at) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
  });

  it('answers the same 401 for a wrong password and an unknown email', async () => {
    const wrong = await login(config.SUPER_ADMIN_INITIAL_EMAIL, 'wrong-password', '10.0.0.2');
    const unknown = await login('nobody@example.com', 'whatever-password', '10.0.0.2');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ detail: 'Credenciales incorrectas' });
    expect(unknown.json()).toEqual(wrong.json());
  });

  it('refuses an inactive user', async () => {
    const user = await createAdmin(db.dataSource, { active: false });
    const response = await login(user.email, user.password, '10.0.0.3');
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ detail: 'Usuario inactivo. Contacta al administrador.' });
  });

  it('lists every invalid field in a 422', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'not-an-email' } });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({
      detail: [
        { loc: ['body', 'email'], msg: 'value is not a valid email address', type: 'value_error' },
        { loc: ['body', 'password'], msg: 'Field required', type: 'missing' },
      ],
    });
  });

  it('rate-limits repeated failures for one email with 429 and Retry-After', async () => {
    const user = await createAdmin(db.dataSource);
    for (let i = 0; i < 5; i++) expect((await login(user.email, 'bad-password', `10.1.0.${i}`)).statusCode).toBe(401);
    const limited = await login(user.email, user.password, '10.1.0.99');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('ends the session on logout and every session on a password change', async () => {
    const user = await createAdmin(db.dataSource);
    const first = (await login(user.email, user.password, '10.2.0.1')).json().access_token;
    const second = (await login(user.email, user.password, '10.2.0.1')).json().access_token;
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });

    const logout = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: auth(first) });
    expect(logout.json()).toEqual({ message: 'Sesión cerrada exitosamente' });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: auth(first) })).statusCode).toBe(401);

    const wrongCurrent = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/change-password',
      headers: auth(second),
      payload: { current_password: 'nope', new_password: 'a-new-password' },
    });
    expect(wrongCurrent.statusCode).toBe(400);
    expect(wrongCurrent.json()).toEqual({ detail: 'Contraseña actual incorrecta' });

    const changed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/change-password',
      headers: auth(second),
      payload: { current_password: user.password, new_password: 'a-new-password' },
    });
    expect(changed.statusCode).toBe(200);
    const after = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: auth(second) });
    expect(after.statusCode).toBe(401);
    expect((await login(user.email, 'a-new-password', '10.2.0.2')).statusCode).toBe(200);
  });

  it('stops accepting the token of a user deactivated after login', async () => {
    const user = await createAdmin(db.dataSource);
    const token = (await login(user.email, user.password, '10.3.0.1')).json().access_token;
    await db.dataSource.getRepository(AdminUserEntity).update({ id: user.id }, { active: false });
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ detail: 'Usuario no activo' });
  });

  it('answers 403 like the original when the Authorization header is missing', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ detail: 'Not authenticated' });
  });
});
