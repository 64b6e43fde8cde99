import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ProductEntity, VoucherBatchEntity, VoucherEntity } from '../../db/entities';
import { NO_ACTIVE_PRODUCT, summary, writeDemoFile, type DemoInfo } from '../../scripts/dev/demo';
import { DEMO_ROUTER_ID, seedDemo, type SeedInput } from '../../scripts/dev/seed';
import { SecretBox } from '../../shared/secrets';
import { testConfig } from '../helpers/config';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/** `npm run dev`'s demo data and what it prints, against a real database. */
describe('npm run dev: demo data and summary', () => {
  let db: TestDatabase;
  let dir: string;
  const config = testConfig();
  const input: SeedInput = {
    config,
    secrets: new SecretBox(config.SECRET_KEY, config.ENCRYPTION_KEY_MERCADO_PAGO),
    companyAdmin: { email: 'admin@cafe-demo.test', password: 'demo-password-1' },
    router: { host: '127.0.0.1', port: 18728, user: 'admin', password: 'router-password' },
    conektaWebhookPublicKey: '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----',
    mercadoPagoWebhookSecret: 'mp-secret',
  };
  const info = (demo: Awaited<ReturnType<typeof seedDemo>>): DemoInfo => ({
    apiBaseUrl: 'http://127.0.0.1:8000',
    workerMetricsUrl: 'http://127.0.0.1:9464/metrics',
    temporalUiUrl: 'http://127.0.0.1:8233',
    superAdmin: { email: 'root@example.com', password: 'root-password-1' },
    databaseUrl: 'postgresql://postgres:pw@127.0.0.1:54329/pagos_hotspot',
    sandbox: { demo, companyAdmin: input.companyAdmin, routerPassword: 'router-password', portalPreviewUrl: null },
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'pagos-demo-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  });

  it('prints a ready-made purchase with the first active product', async () => {
    const demo = await seedDemo(db.dataSource, input);
    expect(demo.products).toHaveLength(3);
    const text = summary(info(demo), { generatedSuperAdmin: true, seconds: 1, demoFile: '.dev/demo.json' });
    expect(text).toContain(`"product_id":${demo.products[0].id}`);
    expect(text).not.toContain(NO_ACTIVE_PRODUCT);
  });

  it('seeds a batch of vouchers once and prints an unused code of it', async () => {
    const first = await seedDemo(db.dataSource, input);
    const again = await seedDemo(db.dataSource, input);
    expect(await db.dataSource.getRepository(VoucherBatchEntity).countBy({ companyId: first.company.id })).toBe(1);
    expect(first.voucher).toMatchObject({ code: expect.stringMatching(/^\d{12}$/) });
    expect(again.voucher).toEqual(first.voucher);
    const stored = await db.dataSource.getRepository(VoucherEntity).findOneBy({ codeHash: input.secrets.voucherCodeHash(first.voucher!.code) });
    expect(stored).toMatchObject({ batchId: first.voucher!.batchId, purchaseId: null });
    const text = summary(info(first), { generatedSuperAdmin: true, seconds: 1, demoFile: '.dev/demo.json' });
    expect(text).toContain(`Voucher        ${first.voucher!.code}`);
  });

  it('starts and says what is missing when an admin deactivated every demo product (kept by the seed)', async () => {
    await db.dataSource.getRepository(ProductEntity).update({ routerId: DEMO_ROUTER_ID }, { active: false });
    const demo = await seedDemo(db.dataSource, input);
    expect(demo.products).toEqual([]);

    const text = summary(info(demo), { generatedSuperAdmin: true, seconds: 1, demoFile: '.dev/demo.json' });
    expect(text).toContain('Products       none active');
    expect(text).toContain(NO_ACTIVE_PRODUCT);
    const file = path.join(dir, 'demo.json');
    writeDemoFile(file, info(demo));
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written.products).toEqual([]);
    expect(written.examples).toMatchObject({ purchase: NO_ACTIVE_PRODUCT, catalog: expect.stringContaining('catalogo_perfiles_venta') });
  });
});
