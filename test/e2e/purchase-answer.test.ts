import { randomUUID } from 'node:crypto';
import { purchaseAnswer } from '../../api/portal/purchase-view';
import { PurchaseService } from '../../api/portal/purchases';
import { insertPurchase, type NewPurchase } from '../../db/repositories/purchase-path';
import type { Gateway, UserType } from '../../domain/purchase';
import { purchaseOutcomeUpdate, purchaseTiming, purchaseWorkflowId, type PurchaseOutcome } from '../../domain/temporal';
import { buy, GATEWAYS, purchase, routerUser } from '../helpers/purchases';
import { cardToken, startStack, type TestStack } from '../helpers/stack';

/**
 * The answer to an approved purchase is built from the row the API wrote and the workflow's outcome, without reading
 * the row back. It must say exactly what the row says: what a repeated submit of the same request (which joins the
 * attempt and reads the row back) answers, and what the purchase's status shows.
 */
describe('the answer to an approved purchase, without reading its row back', () => {
  let s: TestStack;
  let deviceSeq = 0;
  beforeAll(async () => {
    s = await startStack();
  }, 60_000);
  afterAll(() => s?.close());

  /** The workflow's outcome, as the purchase request got it. */
  const outcomeOf = async (purchaseId: string): Promise<PurchaseOutcome> =>
    s.workflows.client.workflow.getHandle((await purchase(s, purchaseId)).workflowId).executeUpdate(purchaseOutcomeUpdate);

  /** The body as sent, but for the moment it was answered at (`timestamp`): key order and values kept. */
  const withoutTimestamp = (text: string) => JSON.stringify(JSON.parse(text), (key, value: unknown) => (key === 'timestamp' ? undefined : value));

  const cases: [Gateway, UserType, boolean][] = GATEWAYS.flatMap((gateway) =>
    (['usuario_contrasena', 'pin'] as const).flatMap((userType) => [true, false].map((autoConnect): [Gateway, UserType, boolean] => [gateway, userType, autoConnect])),
  );

  it.each(cases)('%s, %s, auto-connect %s: the same as its read-back and its status', async (gateway, userType, autoConnect) => {
    // A new device each time: a running purchase of the same plan on the device would take this one's time instead.
    deviceSeq += 1;
    const device = { mac: `02:00:00:00:A5:${deviceSeq.toString(16).padStart(2, '0').toUpperCase()}`, ip: `10.5.70.${deviceSeq + 1}` };
    s.router.attachDevice(device.mac, device.ip);
    const request = {
      idempotencyKey: `answer-${randomUUID()}`,
      token: cardToken('approved'),
      body: { tipo_usuario: userType, mac_cliente: device.mac, ip_cliente: device.ip, conexion_automatica: autoConnect },
    };

    const answered = await buy(s, gateway, request);
    expect(answered.statusCode).toBe(200);
    const body = answered.json();
    expect(body.auto_conexion.estado).toBe(autoConnect ? 'conectado' : 'no_conectado');
    // What let the API answer without reading the row back.
    expect(await outcomeOf(body.id_compra)).toMatchObject({ status: 'active', credentialsReplaced: false, activated: { expiresAt: body.expira_en } });

    // The same request again joins the attempt and is answered from the row read back.
    const readBack = await buy(s, gateway, request);
    expect(readBack.statusCode).toBe(200);
    expect(withoutTimestamp(answered.body)).toBe(withoutTimestamp(readBack.body));

    const status = (await s.app.inject({ method: 'GET', url: `/api/v1/purchases/${body.id_compra}`, headers: { 'x-api-key': s.apiKey } })).json();
    expect({
      id_compra: body.id_compra,
      estado: 'active',
      estado_pago: body.estado_pago,
      pasarela: gateway,
      tipo_usuario: body.tipo_usuario,
      usuario_hotspot: body.usuario_hotspot,
      tiempo_sumado: body.tiempo_sumado,
      producto: { nombre: body.producto.nombre, precio: body.producto.precio, moneda: body.producto.moneda },
      expira_en: body.expira_en,
    }).toEqual({
      id_compra: status.id_compra,
      estado: status.estado,
      estado_pago: status.estado_pago,
      pasarela: status.pasarela,
      tipo_usuario: status.tipo_usuario,
      usuario_hotspot: status.usuario_hotspot,
      tiempo_sumado: status.tiempo_sumado,
      producto: status.producto,
      expira_en: status.expira_en,
    });
    const row = await purchase(s, body.id_compra);
    expect(body.id_transaccion).toBe(row.gatewayReference);
    expect(routerUser(s, body.usuario_hotspot.usuario)).toMatchObject({ comment: `pagos-hotspot:${body.id_compra}`, disabled: 'false' });
  });

  it('reads the credentials back when the router held the name the API drew for someone else', async () => {
    s.router.state.add('/ip/hotspot/user', { name: 'PT-TAKEN', password: '1111', profile: 'default', comment: 'vendido a mano' });
    const service = new PurchaseService({ dataSource: s.db.dataSource, secrets: s.secrets, workflows: s.workflows, config: s.config });
    const id = randomUUID();
    const workflowId = purchaseWorkflowId(s.company.id, s.routerRow.id, `k-${id}`);
    // The row as the API writes it, with the name already taken.
    const row: NewPurchase = {
      id,
      workflowId,
      requestFingerprint: null,
      companyId: s.company.id,
      routerId: s.routerRow.id,
      routerName: s.routerRow.name,
      productId: s.product.id,
      productName: s.product.name,
      profileName: s.product.profileName,
      validitySeconds: s.product.validitySeconds,
      uptimeLimitSeconds: s.product.uptimeLimitSeconds,
      gateway: 'conekta',
      amountCents: s.product.priceCents,
      currency: s.product.currency,
      customerName: 'Ana López',
      customerEmail: 'ana@example.com',
      customerPhone: null,
      userType: 'usuario_contrasena',
      hotspotUsername: 'PT-TAKEN',
      hotspotPasswordEncrypted: s.secrets.encrypt('2222'),
      clientMac: null,
      clientIp: null,
      autoConnect: false,
      cardTokenEncrypted: s.secrets.encrypt(cardToken('approved')),
      gatewayRequest: {},
      apiKeyId: null,
    };
    await insertPurchase(s.db.dataSource, row, { attempt: 'idempotency_key' });

    const progress = await service.startAndFollow(
      workflowId,
      { purchaseId: id, companyId: s.company.id, routerId: s.routerRow.id, gateway: 'conekta', timing: purchaseTiming(s.config) },
      'missing',
      row,
    );
    const answer = purchaseAnswer(s, progress);
    expect(answer.status).toBe(200);
    const { usuario, contrasena } = (answer.body as { usuario_hotspot: { usuario: string; contrasena: string } }).usuario_hotspot;
    expect(usuario).not.toBe('PT-TAKEN');
    const stored = await purchase(s, id);
    expect({ usuario, contrasena }).toEqual({ usuario: stored.hotspotUsername, contrasena: s.secrets.decryptOptional(stored.hotspotPasswordEncrypted) });
    expect(routerUser(s, usuario)).toMatchObject({ comment: `pagos-hotspot:${id}`, password: contrasena, disabled: 'false' });
    expect(routerUser(s, 'PT-TAKEN')).toMatchObject({ comment: 'vendido a mano', password: '1111' });
    expect(await outcomeOf(id)).toMatchObject({ credentialsReplaced: true });
  });

  it('reads the credentials back when the reservation was tried again: its first try may have replaced them unsaid', async () => {
    // The user is added, then the connection drops before the answer: the first (local) try fails, the next one
    // finds the user as its own.
    await s.router.setFaults({ dropNextCommands: 1 });
    const response = await buy(s, 'conekta');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(await outcomeOf(body.id_compra)).toMatchObject({ status: 'active', credentialsReplaced: true });
    const stored = await purchase(s, body.id_compra);
    expect(body.usuario_hotspot).toEqual({ usuario: stored.hotspotUsername, contrasena: s.secrets.decryptOptional(stored.hotspotPasswordEncrypted) });
    expect(routerUser(s, stored.hotspotUsername)).toMatchObject({ comment: `pagos-hotspot:${body.id_compra}`, disabled: 'false' });
  });
});
