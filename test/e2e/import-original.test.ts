import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PurchaseEntity } from '../../db/entities';
import { SecretBox } from '../../shared/secrets';
import { startRouterSimulator, type RouterSimulator } from '../../sandbox/routeros/simulator';
import { importOriginal, ImportStopped } from '../../scripts/import-original/import';
import type { ImportOptions } from '../../scripts/import-original/options';
import type { ImportReport } from '../../scripts/import-original/report';
import { importedPurchaseId } from '../../scripts/import-original/sales';
import { ImportTemporal } from '../../scripts/import-original/temporal';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { purchase, waitForStatus } from '../helpers/purchases';
import { eventually, startStack, type TestStack } from '../helpers/stack';

const root = path.join(__dirname, '../..');
const fixture = (name: string) => readFileSync(path.join(root, 'test/fixtures/original', name), 'utf8');
const keys = JSON.parse(fixture('keys.json')) as { routerKeys: Record<string, string>; adminPasswords: Record<string, string> };

const PLAZA = 'EMP_7F3A9C21D0';
const ZONE = 'America/Mexico_City';
const sale = (id: number, company = PLAZA) => importedPurchaseId(company, id);
const counts = (report: ImportReport) => Object.fromEntries(Object.entries(report.counts).map(([t, c]) => [t, [c.imported, c.skipped, c.refused]]));
const refusal = (report: ImportReport, table: string, id: string | number) => report.refused.find((r) => r.table === table && r.id === String(id))?.text;

/** Every row of the tables an import writes, for "nothing changed" checks. */
async function snapshot(s: TestStack): Promise<string> {
  const tables = ['companies', 'admin_users', 'routers', 'router_api_keys', 'products', 'purchases', 'purchase_events', 'audit_log'];
  const rows = await Promise.all(tables.map((t) => s.db.dataSource.query(`SELECT * FROM ${t} ORDER BY 1`)));
  return JSON.stringify(rows);
}

/**
 * The move from the original service: its database (built from its models, with realistic rows) is imported into a
 * running system — real PostgreSQL, Temporal, worker, API and a simulated router holding the original's customers.
 */
describe('npm run import:original', () => {
  let s: TestStack;
  let old: TestDatabase;
  let plazaRouter: RouterSimulator;
  let temporal: ImportTemporal;
  const run = (options: Partial<ImportOptions> = {}) =>
    importOriginal({ from: old.url, dryRun: false, sourceTimeZone: ZONE, ...options }, { config: s.config, dataSource: s.db.dataSource, temporal });

  beforeAll(async () => {
    [s, old, plazaRouter] = await Promise.all([
      startStack({ config: { ROUTER_ALLOWED_NETWORKS: '127.0.0.0/8' } }),
      createTestDatabase({ empty: true }),
      startRouterSimulator({ users: { 'api-pagos': 'Mikro#Plaza2024' } }),
    ]);
    // A real import goes into a fresh database: the stack's own product moves out of the way of the original's ids.
    await s.db.dataSource.query(`UPDATE products SET id = 1000 WHERE id = $1`, [s.product.id]);
    await old.dataSource.query(fixture('schema.sql'));
    await old.dataSource.query(fixture('rows.sql'));
    // The operator's router, where the original's customers are (and one it removed by hand: PT-ZX9P1).
    await old.dataSource.query(`UPDATE routers SET host = $1, puerto = $2 WHERE id = 'RTR_1A2B3C4D'`, [plazaRouter.host, plazaRouter.port]);
    plazaRouter.state.add('/ip/hotspot/user', { name: 'PT-K7Q2M', password: '4821', profile: '1h-2M' });
    plazaRouter.state.add('/ip/hotspot/user', { name: 'PT-R8D4X', password: '0935', profile: '1h-2M' });
    plazaRouter.state.add('/ip/hotspot/user', { name: 'PT-40417', profile: '1d-5M' });
    temporal = await ImportTemporal.connect({ address: s.config.TEMPORAL_ADDRESS, namespace: s.config.TEMPORAL_NAMESPACE, taskQueue: s.config.TEMPORAL_TASK_QUEUE });
  }, 60_000);
  afterAll(async () => {
    await temporal?.close();
    await Promise.all([s?.close(), old?.drop(), plazaRouter?.close()]);
  });

  const routerUser = (name: string) => plazaRouter.state.list('/ip/hotspot/user').find((u) => u.name === name);

  it('needs the original server time zone once its tables hold naive times, and names the one it has', async () => {
    await expect(run({ dryRun: true, sourceTimeZone: undefined })).rejects.toThrow(/--source-timezone is required.*TimeZone setting is "[^"]+"/);
  });

  it('stops before writing anything when no worker polls the task queue', async () => {
    const before = await snapshot(s);
    const idle = { address: s.config.TEMPORAL_ADDRESS, namespace: s.config.TEMPORAL_NAMESPACE, taskQueue: 'import-test-no-worker' };
    const nobody = await ImportTemporal.connect(idle);
    try {
      await expect(
        importOriginal(
          { from: old.url, dryRun: false, sourceTimeZone: ZONE },
          { config: { ...s.config, TEMPORAL_TASK_QUEUE: idle.taskQueue }, dataSource: s.db.dataSource, temporal: nobody },
        ),
      ).rejects.toThrow(new ImportStopped('no worker polls the task queue "import-test-no-worker": start the worker (npm run start:worker) with this configuration, then run the import again'));
    } finally {
      await nobody.close();
    }
    expect(await snapshot(s)).toBe(before);
  });

  it('dry run: lists what it would import and every refusal with its reason, and writes nothing', async () => {
    const before = await snapshot(s);
    const report = await run({ dryRun: true });
    expect(await snapshot(s)).toBe(before);
    expect(counts(report)).toEqual({
      empresas: [2, 0, 1],
      usuarios: [3, 0, 2],
      routers: [3, 0, 1],
      api_keys_tracking: [4, 0, 1],
      productos: [5, 0, 2],
      transacciones: [9, 0, 3],
    });
    expect(refusal(report, 'empresas', 'EMP_C0FFEE0001')).toMatch(/mercado_pago_access_token is encrypted with a Fernet key that neither/);
    expect(refusal(report, 'usuarios', 4)).toBe('its company EMP_C0FFEE0001 was refused');
    expect(refusal(report, 'usuarios', 5)).toMatch(/email admin@wifiplaza.mx is already used by admin 2/);
    expect(refusal(report, 'productos', 4)).toMatch(/currency "ARS" is not one of MXN, USD, EUR/);
    expect(refusal(report, 'transacciones', 106)).toMatch(/estado_pago "pending" is not final: settle payment 1318241500 at Mercado Pago/);
    expect(refusal(report, 'transacciones', 109)).toBe('its product 4 was refused');
    // The validities are read on the routers by the import itself: a dry run says so instead of guessing.
    expect(report.adoption).toMatchObject({ candidates: 0, undecided: 6 });
    expect(report.notes).toContainEqual(expect.objectContaining({ table: 'productos', id: '1', text: expect.stringMatching(/profile "1h-2M" on router RTR_1A2B3C4D/) }));
    const text = report.format();
    expect(text).toMatch(/^Dry run: nothing was written/);
    expect(text).toContain('transacciones → purchases');
    expect(text).not.toContain('Mikro#Plaza2024');
    expect(text).not.toContain('key_xQh7vN2bLp9sT4wZ1cR8');
  });

  it('imports, reading validities on the routers, refusing products whose validity is unknown', async () => {
    const report = await run();
    expect(counts(report)).toEqual({
      empresas: [2, 0, 1],
      usuarios: [3, 0, 2],
      routers: [3, 0, 1],
      api_keys_tracking: [4, 0, 1],
      productos: [3, 0, 4],
      transacciones: [7, 0, 5],
    });
    expect(refusal(report, 'productos', 3)).toBe('its validity is unknown: profile "default" has no session-timeout; give --default-validity');
    expect(refusal(report, 'productos', 5)).toMatch(/^its validity is unknown: router RTR_5E6F7A8B could not be read \(.+\); give --default-validity$/);
    expect(refusal(report, 'transacciones', 108)).toBe('its product 3 was refused');
    expect(report.notes).toContainEqual({ table: 'productos', id: '2', text: 'validity 1d (86400 s): the session-timeout of profile "1d-5M"' });
    expect(report.adoption).toEqual({ candidates: 3, started: 3, alreadyStarted: 0, undecided: 0 });
    expect(report.todo.join('\n')).toMatch(/JWT_APIKEY_SECRET and JWT_ALGORITHM are the original service's/);

    const ds = s.db.dataSource;
    const secrets = new SecretBox(s.config.SECRET_KEY, s.config.ENCRYPTION_KEY_MERCADO_PAGO);
    const [plaza] = await ds.query(`SELECT * FROM companies WHERE id = $1`, [PLAZA]);
    const [original] = await old.dataSource.query(`SELECT * FROM empresas WHERE id = $1`, [PLAZA]);
    expect(secrets.decrypt(plaza.conekta_private_key_encrypted)).toBe('key_xQh7vN2bLp9sT4wZ1cR8');
    expect(plaza.conekta_private_key_encrypted).toMatch(/^v1\./);
    expect(plaza.mercado_pago_access_token_encrypted).toBe(original.mercado_pago_access_token); // the same Fernet token
    expect(secrets.decrypt(plaza.telegram_bot_token_encrypted)).toBe('7012345678:AAHf3kZ9xQ2mN8vB5cL1pR7tY4wE6uI0oSd');
    expect(plaza.created_at.toISOString()).toBe('2025-03-01T17:20:05.123Z'); // 11:20 in Mexico City
    const [palmas] = await ds.query(`SELECT * FROM companies WHERE id = 'EMP_0B41E6A5F2'`);
    expect(palmas).toMatchObject({ conekta_private_key_encrypted: null, conekta_public_key: null });
    expect(secrets.decrypt(palmas.mercado_pago_webhook_secret_encrypted)).toBe('palmas-webhook-2025'); // was in clear

    const routers = await ds.query(`SELECT id, port, use_tls, tls_verify, api_password_encrypted FROM routers WHERE id LIKE 'RTR_%' ORDER BY id`);
    expect(routers.filter((r: { id: string }) => r.id !== s.routerRow.id).map((r: { id: string; port: number; use_tls: boolean; tls_verify: boolean }) => [r.id, r.port, r.use_tls, r.tls_verify])).toEqual([
      ['RTR_1A2B3C4D', plazaRouter.port, false, true],
      ['RTR_5E6F7A8B', 8729, true, false],
      ['RTR_9C0D1E2F', 8728, false, true],
    ]);
    expect(secrets.decrypt(routers.find((r: { id: string }) => r.id === 'RTR_5E6F7A8B').api_password_encrypted)).toBe('Palmas$Api#99');
    expect(report.notes).toContainEqual(expect.objectContaining({ table: 'routers', id: 'RTR_5E6F7A8B', text: expect.stringMatching(/without certificate verification/) }));

    const [revoked] = await ds.query(`SELECT * FROM router_api_keys WHERE key_id = 'key_0f1e2d3c4b5a6978'`);
    expect(revoked).toMatchObject({ revoked: true, use_count: '5231' });
    expect(revoked.issued_at.toISOString()).toBe('2024-11-02T12:58:41.104Z'); // written by the original in UTC

    const products = await ds.query(`SELECT id, price_cents, currency, validity_seconds, active FROM products WHERE id <= 7 ORDER BY id`);
    expect(products).toEqual([
      { id: 1, price_cents: 2000, currency: 'MXN', validity_seconds: 3600, active: true },
      { id: 2, price_cents: 7999, currency: 'MXN', validity_seconds: 86400, active: true },
      { id: 7, price_cents: 19900, currency: 'MXN', validity_seconds: 604800, active: false },
    ]);
    const [{ next }] = await ds.query(`SELECT nextval(pg_get_serial_sequence('products', 'id'))::int AS next`);
    expect(next).toBeGreaterThan(7);

    const status = async (id: number) => (await purchase(s, sale(id))).status;
    expect(await Promise.all([101, 105, 107, 112].map(status))).toEqual(['expired', 'declined', 'refunded', 'revoked']);
    const luis = await purchase(s, sale(102));
    expect(luis).toMatchObject({ gateway: 'mercado_pago', gatewayReference: '1318236755', amountCents: 2000, userType: 'usuario_contrasena' });
    expect(luis.expiresAt!.getTime() - luis.activatedAt!.getTime()).toBe(3600_000);
    const maria = await purchase(s, sale(103));
    expect(maria).toMatchObject({ gateway: 'conekta', status: 'active', amountCents: 7999, userType: 'pin', hotspotPasswordEncrypted: null });
    const refunded = await purchase(s, sale(107));
    expect(refunded).toMatchObject({ refundedCents: 7999, statusReason: 'GATEWAY_REFUND' });
    const [event] = await ds.query(`SELECT type, to_status, source, detail FROM purchase_events WHERE purchase_id = $1`, [sale(105)]);
    expect(event).toMatchObject({ type: 'imported', to_status: 'declined', source: 'import', detail: { original: { id: 105, estado_pago: 'rejected' } } });
  }, 90_000);

  it("reads the catalog with the router key the original issued, and refuses the key it had revoked", async () => {
    const catalog = (key: string) => s.app.inject({ method: 'GET', url: '/api/v1/catalogo_perfiles_venta', headers: { authorization: `Bearer ${key}` } });
    const ok = await catalog(keys.routerKeys.RTR_1A2B3C4D);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().map((p: { id: number; precio: number }) => [p.id, p.precio])).toEqual([[1, 20], [2, 79.99]]);
    const revoked = await catalog(keys.routerKeys.RTR_1A2B3C4D_revoked);
    expect(revoked.statusCode).toBe(401);
  });

  it('logs the original admins in with their original passwords (an inactive one stays out)', async () => {
    const login = (email: string) =>
      s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: keys.adminPasswords[email.toLowerCase()] } });
    const admin = await login('admin@wifiplaza.mx');
    expect(admin.statusCode).toBe(200);
    expect(admin.json().user).toMatchObject({ id: 2, rol: 'cliente_admin', empresa_id: PLAZA });
    expect((await login('soporte@pagoshotspot.mx')).json().user).toMatchObject({ id: 1, rol: 'super_admin' });
    const inactive = await login('Gerencia@LasPalmas.mx');
    expect(inactive.json()).toEqual({ detail: 'Usuario inactivo. Contacta al administrador.' });
  });

  it('adopts the customers still active: their users get our tag; one gone from the router is closed', async () => {
    const gone = await waitForStatus(s, sale(104), 'expired', 30_000);
    expect(gone.statusReason).toBe('ROUTER_USER_MISSING');
    await eventually(() => routerUser('PT-40417')?.comment === `pagos-hotspot:${sale(103)}`, 30_000, 'PT-40417 tagged');
    await eventually(() => routerUser('PT-R8D4X')?.comment === `pagos-hotspot:${sale(102)}`, 30_000, 'PT-R8D4X tagged');
    expect(routerUser('PT-K7Q2M')?.comment).toBeUndefined(); // an ended sale's user: listed for the operator, not touched
  });

  it('reconnects an adopted customer, then removes it from the router at its expiry', async () => {
    plazaRouter.attachDevice('AC:DE:48:00:11:22', '10.5.50.40');
    const reconnect = await s.app.inject({
      method: 'POST',
      url: '/api/v1/hotspot/auto-reconnect',
      headers: { authorization: `Bearer ${keys.routerKeys.RTR_1A2B3C4D}` },
      payload: { username: 'PT-R8D4X', password: '0935', current_mac: 'AC:DE:48:00:11:22' },
    });
    expect(reconnect.json()).toMatchObject({ success: true, estado: 'activo', auto_conexion: 'conectado' });
    expect(plazaRouter.state.list('/ip/hotspot/active').filter((a) => a.user === 'PT-R8D4X')).toHaveLength(1);

    const expired = await waitForStatus(s, sale(102), 'expired', 100_000);
    expect(expired.endedAt!.getTime()).toBeGreaterThanOrEqual(expired.expiresAt!.getTime());
    expect(routerUser('PT-R8D4X')).toBeUndefined();
    expect(plazaRouter.state.list('/ip/hotspot/active').filter((a) => a.user === 'PT-R8D4X')).toHaveLength(0);
  }, 120_000);

  it('run again with --default-validity: imports what lacked a validity, says where it came from, skips the rest', async () => {
    const report = await run({ defaultValiditySeconds: 7200 });
    expect(counts(report)).toEqual({
      empresas: [0, 2, 1],
      usuarios: [0, 3, 2],
      routers: [0, 3, 1],
      api_keys_tracking: [0, 4, 1],
      productos: [2, 3, 2],
      transacciones: [2, 7, 3],
    });
    expect(report.notes).toContainEqual({ table: 'productos', id: '3', text: 'validity 2h (7200 s) from --default-validity: profile "default" has no session-timeout' });
    expect(report.adoption).toEqual({ candidates: 1, started: 0, alreadyStarted: 1, undecided: 0 });
    const rows = await s.db.dataSource.getRepository(PurchaseEntity).findBy([{ id: sale(108) }, { id: sale(110, 'EMP_0B41E6A5F2') }]);
    expect(rows.map((r) => [r.currency, r.amountCents, r.status]).sort()).toEqual([['MXN', 12000, 'expired'], ['USD', 499, 'expired']]);
  }, 60_000);

  it('a third run changes nothing', async () => {
    const before = await snapshot(s);
    const report = await run({ defaultValiditySeconds: 7200 });
    expect(await snapshot(s)).toBe(before);
    expect(Object.values(report.counts).every((c) => c.imported === 0)).toBe(true);
    expect(report.adoption.started).toBe(0);
  }, 60_000);

  it('runs as a command: the original URL form, a dry run, the report on stdout; bad arguments exit 2', () => {
    const command = (args: string[]) =>
      spawnSync(process.execPath, ['-r', path.join(root, 'test/helpers/register-ts.js'), path.join(root, 'scripts/import-original/main.ts'), ...args], {
        env: { ...process.env, ...s.env },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const asyncpg = old.url.replace(/^postgresql:/, 'postgresql+asyncpg:');
    const dry = command(['--from', asyncpg, '--dry-run', '--source-timezone', ZONE]);
    expect(dry.stderr).toBe('');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/^Dry run: nothing was written/);
    expect(dry.stdout).toMatch(/empresas → companies\s+0\s+2\s+1/);
    const bad = command(['--from', asyncpg, '--default-validity', 'forever']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--default-validity: "forever" is not a duration/);
  }, 60_000);
});
