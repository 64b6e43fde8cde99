import { randomUUID } from 'node:crypto';
import type { ProductEntity, PurchaseEntity, RouterEntity } from '../../../db/entities';
import { DomainError } from '../../../domain/errors';
import { createProduct, createRouter } from '../../helpers/fixtures';
import { addEvent, auditRows, createPurchase, setupAdminTest, type AdminTest } from './support';

describe('company admin: sales', () => {
  let s: AdminTest;
  let router: RouterEntity;
  let other: RouterEntity;
  let product: ProductEntity;
  let foreignPurchase: PurchaseEntity;
  const day = (iso: string) => new Date(iso);

  beforeAll(async () => {
    s = await setupAdminTest();
    router = await createRouter(s.ds, s.t.deps.secrets, s.company.id, { name: 'Lobby' });
    other = await createRouter(s.ds, s.t.deps.secrets, s.company.id, { name: 'Terraza' });
    product = await createProduct(s.ds, router, { name: '1 hora' });
    const foreignRouter = await createRouter(s.ds, s.t.deps.secrets, s.other.id);
    foreignPurchase = await createPurchase(s.ds, foreignRouter, null, { customerEmail: 'ana@example.com' });
    await createPurchase(s.ds, router, product, { createdAt: day('2025-03-01T10:00:00Z'), status: 'expired', gatewayStatus: 'paid' });
    await createPurchase(s.ds, router, product, {
      createdAt: day('2025-03-02T10:00:00Z'),
      status: 'declined',
      customerEmail: 'Beto@Example.com',
    });
    await createPurchase(s.ds, other, null, {
      createdAt: day('2025-03-03T10:00:00Z'),
      status: 'refunded',
      gateway: 'mercado_pago',
      gatewayStatus: 'refunded',
      refundedCents: 2000,
      customerName: '=HYPERLINK("http://evil.example","clic")',
      customerPhone: '+5215512345678',
    });
    await createPurchase(s.ds, other, null, {
      createdAt: day('2025-03-04T10:00:00Z'),
      status: 'pending',
      gateway: 'mercado_pago',
      gatewayStatus: 'in_process',
    });
  });
  beforeEach(() => s.workflows.reset());
  afterAll(() => s.close());

  const get = (url: string, headers = s.companyAdmin.headers) => s.t.app.inject({ method: 'GET', url, headers });
  const post = (url: string, payload?: Record<string, unknown>, headers = s.companyAdmin.headers) =>
    s.t.app.inject({ method: 'POST', url, headers, payload });
  const ids = async (query: string) =>
    (await get(`/api/v1/admin/purchases?${query}`)).json().compras.map((p: { creada_en: string }) => p.creada_en.slice(0, 10));

  it("keeps the original's transaction list: charged purchases only, newest first, paginated", async () => {
    const response = await get('/api/v1/admin/mi-empresa/transacciones?limit=10');
    expect(response.json()).toEqual({
      empresa_id: s.company.id,
      total: 2,
      limit: 10,
      offset: 0,
      transacciones: [
        {
          id: expect.any(String),
          transaccion_id: expect.stringMatching(/^ord_/),
          monto: 20,
          estado_pago: 'refunded',
          cliente_nombre: expect.any(String),
          creada_en: '2025-03-03T10:00:00.000Z',
        },
        {
          id: expect.any(String),
          transaccion_id: expect.stringMatching(/^ord_/),
          monto: 20,
          estado_pago: 'paid',
          cliente_nombre: 'Ana López',
          creada_en: '2025-03-01T10:00:00.000Z',
        },
      ],
    });
    expect((await get('/api/v1/admin/mi-empresa/transacciones?limit=500')).statusCode).toBe(422);
  });

  it('lists every purchase of the own company with filters', async () => {
    const all = await get('/api/v1/admin/purchases');
    expect(all.json()).toMatchObject({ total: 4, limit: 50, offset: 0 });
    expect(all.json().compras[0]).toEqual({
      id: expect.any(String),
      transaccion_id: expect.any(String),
      router_id: other.id,
      router_nombre: 'Terraza',
      producto_id: null,
      producto_nombre: '1 hora',
      perfil: 'default',
      pasarela: 'mercado_pago',
      monto: 20,
      reembolsado: 0,
      moneda: 'MXN',
      estado: 'pending',
      estado_pago: 'in_process',
      motivo_estado: null,
      cliente_nombre: 'Ana López',
      cliente_email: 'ana@example.com',
      cliente_telefono: '+525512345678',
      tipo_usuario: 'pin',
      usuario_hotspot: expect.any(String),
      mac_cliente: 'AA:BB:CC:DD:EE:01',
      ip_cliente: '192.168.88.10',
      vigencia_segundos: 3600,
      creada_en: '2025-03-04T10:00:00.000Z',
      pagada_en: null,
      activada_en: null,
      expira_en: null,
      finalizada_en: null,
    });
    expect(all.body).not.toMatch(/card_token|hotspot_password|contrasena/);

    expect(await ids('desde=2025-03-02&hasta=2025-03-03')).toEqual(['2025-03-03', '2025-03-02']);
    expect(await ids('hasta=2025-03-02T00:00:00Z')).toEqual(['2025-03-01']);
    expect(await ids(`router_id=${router.id}`)).toEqual(['2025-03-02', '2025-03-01']);
    expect(await ids(`producto_id=${product.id}&estado=declined`)).toEqual(['2025-03-02']);
    expect(await ids('estado=expired,refunded')).toEqual(['2025-03-03', '2025-03-01']);
    expect(await ids('pasarela=mercado_pago')).toEqual(['2025-03-04', '2025-03-03']);
    expect(await ids('cliente_email=beto@EXAMPLE.com')).toEqual(['2025-03-02']);
    expect(await ids('limit=1&offset=1')).toEqual(['2025-03-03']);
  });

  it('validates the filters', async () => {
    const response = await get('/api/v1/admin/purchases?estado=paid,lost&pasarela=paypal&desde=ayer&limit=0');
    expect(response.statusCode).toBe(422);
    expect(response.json().detail.map((d: { loc: (string | number)[] }) => d.loc.slice(1).join('.'))).toEqual([
      'limit',
      'desde',
      'estado.1',
      'pasarela',
    ]);
    const reversed = await get('/api/v1/admin/purchases?desde=2025-03-05&hasta=2025-03-01');
    expect(reversed.json().detail).toEqual([
      { loc: ['querystring', 'hasta'], msg: 'hasta debe ser posterior a desde', type: 'value_error' },
    ]);
  });

  it('shows one purchase with its event history', async () => {
    const purchase = await createPurchase(s.ds, router, product);
    await addEvent(s.ds, purchase.id, { type: 'status_changed', fromStatus: 'created', toStatus: 'charging' });
    await addEvent(s.ds, purchase.id, {
      type: 'status_changed',
      fromStatus: 'charging',
      toStatus: 'paid',
      source: 'webhook',
      detail: { gateway_status: 'paid' },
    });
    const response = await get(`/api/v1/admin/purchases/${purchase.id}`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ id: purchase.id, estado: 'active', mensaje_cliente: null, conexion_automatica: false });
    expect(body.eventos).toEqual([
      {
        id: expect.any(Number),
        tipo: 'status_changed',
        estado_anterior: 'created',
        estado_nuevo: 'charging',
        origen: 'workflow',
        detalle: {},
        creado_en: expect.any(String),
      },
      {
        id: expect.any(Number),
        tipo: 'status_changed',
        estado_anterior: 'charging',
        estado_nuevo: 'paid',
        origen: 'webhook',
        detalle: { gateway_status: 'paid' },
        creado_en: expect.any(String),
      },
    ]);
  });

  it("answers 404 for another company's purchase, and never lists it", async () => {
    const response = await get(`/api/v1/admin/purchases/${foreignPurchase.id}`);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ detail: 'Compra no encontrada' });
    expect((await get(`/api/v1/admin/purchases/${randomUUID()}`)).statusCode).toBe(404);
    expect((await get('/api/v1/admin/purchases/not-a-uuid')).statusCode).toBe(422);
    const list = (await get('/api/v1/admin/purchases?cliente_email=ana@example.com&limit=100')).json();
    expect(list.compras.map((p: { id: string }) => p.id)).not.toContain(foreignPurchase.id);
  });

  it('exports the filtered list as CSV, escaped, with formula injection neutralised', async () => {
    const response = await get(`/api/v1/admin/purchases/export.csv?router_id=${other.id}&desde=2025-03-01&hasta=2025-03-31`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      new RegExp(`^attachment; filename="compras-${s.company.id}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`),
    );
    const text = response.body.replace(/^\uFEFF/, '');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(
      'id,creada_en,estado,pasarela,transaccion_id,monto,reembolsado,moneda,router_id,router_nombre,producto_id,producto_nombre,cliente_nombre,cliente_email,cliente_telefono,usuario_hotspot,pagada_en,expira_en',
    );
    expect(lines).toHaveLength(4); // header, two purchases, final CRLF
    expect(lines[3]).toBe('');
    const refunded = lines.find((l) => l.includes(',refunded,'))!;
    expect(refunded).toContain(`,"'=HYPERLINK(""http://evil.example"",""clic"")",`);
    expect(refunded).toContain(",'+5215512345678,");
    expect(refunded).toContain(',20.00,20.00,MXN,');
    expect(text).not.toContain('ana@example.com\r\n=');

    const filteredOut = await get('/api/v1/admin/purchases/export.csv?cliente_email=nadie@example.com');
    expect(filteredOut.body.replace(/^\uFEFF/, '').split('\r\n')).toHaveLength(2); // header only
    expect((await get('/api/v1/admin/purchases/export.csv?estado=nope')).statusCode).toBe(422);
    expect((await get('/api/v1/admin/purchases/export.csv', s.superAdmin.headers)).statusCode).toBe(403);
  });

  describe('purchase actions through the workflow', () => {
    it('refunds a paid purchase via refundPurchase(workflowId, {actor, reason}) and audits it', async () => {
      const purchase = await createPurchase(s.ds, router, product, { status: 'active' });
      const response = await post(`/api/v1/admin/purchases/${purchase.id}/refund`, { motivo: 'Cliente sin servicio' });
      expect(response.json()).toEqual({ message: 'Compra reembolsada', compra_id: purchase.id, estado: 'refunded', expira_en: null });
      expect(s.workflows.callsOf('refundPurchase')).toEqual([
        [
          purchase.workflowId,
          { actor: { userId: s.companyAdmin.user.id, email: s.companyAdmin.user.email }, reason: 'Cliente sin servicio' },
          20_000, // PURCHASE_RESPONSE_WAIT_SECONDS
        ],
      ]);
      expect((await auditRows(s.ds, 'purchase.refund')).at(-1)).toMatchObject({
        actor_email: s.companyAdmin.user.email,
        company_id: s.company.id,
        target_id: purchase.id,
        detail: { reason: 'Cliente sin servicio', amount_cents: 2000, currency: 'MXN', result: 'refunded' },
      });
    });

    it('revokes access without a body, and extends an active purchase by minutes (English aliases too)', async () => {
      const purchase = await createPurchase(s.ds, router, product, { status: 'active' });
      const revoked = await post(`/api/v1/admin/purchases/${purchase.id}/revoke`);
      expect(revoked.json()).toMatchObject({ message: 'Acceso revocado', estado: 'revoked' });
      expect(s.workflows.callsOf('revokePurchase')[0][1]).toEqual({ actor: expect.any(Object), reason: undefined });

      const extended = await post(`/api/v1/admin/purchases/${purchase.id}/extend`, { minutos: 30, reason: 'Cortesía' });
      expect(extended.json()).toEqual({
        message: 'Acceso extendido',
        compra_id: purchase.id,
        estado: 'active',
        expira_en: '2030-01-01T00:00:00.000Z',
      });
      expect(s.workflows.callsOf('extendPurchase')[0]).toEqual([
        purchase.workflowId,
        { actor: expect.any(Object), reason: 'Cortesía', seconds: 1800 },
        20_000,
      ]);
      expect((await post(`/api/v1/admin/purchases/${purchase.id}/extend`, { seconds: 120, minutos: 2 })).statusCode).toBe(422);
      expect((await post(`/api/v1/admin/purchases/${purchase.id}/extend`, {})).statusCode).toBe(422);
    });

    it('refuses an action its status does not allow (409) without asking the workflow', async () => {
      const declined = await createPurchase(s.ds, router, product, { status: 'declined' });
      const refund = await post(`/api/v1/admin/purchases/${declined.id}/refund`);
      expect(refund.statusCode).toBe(409);
      expect(refund.json()).toEqual({ detail: "La compra no se puede reembolsar en estado 'declined'" });
      const expired = await createPurchase(s.ds, router, product, { status: 'expired' });
      expect((await post(`/api/v1/admin/purchases/${expired.id}/extend`, { segundos: 600 })).json()).toEqual({
        detail: "Solo se puede extender una compra activa (estado 'expired')",
      });
      expect(s.workflows.calls).toEqual([]);
    });

    it('answers 202 when the workflow accepted the action but has not finished it within the wait, and audits it', async () => {
      const purchase = await createPurchase(s.ds, router, product, { status: 'active' });
      s.workflows.results.revokePurchase = 'in_progress';
      const response = await post(`/api/v1/admin/purchases/${purchase.id}/revoke`, { motivo: 'Fraude' });
      expect(response.statusCode).toBe(202);
      expect(response.json()).toEqual({
        message: 'La acción sigue en curso: el router o la pasarela aún no responden. Se completará en cuanto respondan.',
        compra_id: purchase.id,
        estado: 'active',
        expira_en: null,
      });
      expect((await auditRows(s.ds, 'purchase.revoke')).at(-1)).toMatchObject({ target_id: purchase.id, detail: { reason: 'Fraude', result: 'in_progress' } });
    });

    it("reports the workflow's refusal and audits the failed attempt", async () => {
      const purchase = await createPurchase(s.ds, router, product, { status: 'active' });
      s.workflows.results.refundPurchase = new DomainError('CONFLICT', 'La compra ya no está en curso');
      const response = await post(`/api/v1/admin/purchases/${purchase.id}/refund`, {});
      expect(response.statusCode).toBe(409);
      expect(response.json()).toEqual({ detail: 'La compra ya no está en curso' });
      expect((await auditRows(s.ds, 'purchase.refund')).at(-1)).toMatchObject({
        target_id: purchase.id,
        detail: { result: 'error', error: 'CONFLICT' },
      });
    });

    it("answers 404 for another company's purchase on every action", async () => {
      for (const [action, body] of [
        ['refund', {}],
        ['revoke', {}],
        ['extend', { segundos: 600 }],
      ] as const) {
        const response = await post(`/api/v1/admin/purchases/${foreignPurchase.id}/${action}`, body);
        expect(response.statusCode).toBe(404);
      }
      expect(s.workflows.calls).toEqual([]);
    });
  });
});
