import { constants, createHash, createHmac, generateKeyPairSync, privateEncrypt, sign } from 'node:crypto';
import { WebhookSignatureValidator } from 'mercadopago';
import { createConektaGateway } from '../../../activities/payments/conekta';
import type { ChargeRequest } from '../../../activities/payments/gateway';
import { createMercadoPagoGateway } from '../../../activities/payments/mercadopago';
import { verifyConektaDigest, verifyMercadoPagoSignature } from '../../../api/webhooks/signatures';
import { startConektaSimulator, type ConektaSimulator } from '../../../sandbox/conekta/server';
import { startMercadoPagoSimulator, type MercadoPagoSimulator } from '../../../sandbox/mercadopago/server';
import { purchaseId, startWebhookReceiver, token, type ReceivedWebhook, type WebhookReceiver } from '../../sandbox/payments/helpers';

const charge = (receiverUrl?: string): ChargeRequest => ({
  purchaseId: purchaseId(),
  purchaseCreatedAt: new Date(),
  amountCents: 2000,
  currency: 'MXN',
  cardToken: token('approved'),
  customer: { name: 'Ana', email: 'ana@example.com' },
  description: 'Ficha 1 hora',
  threeDSecure: false,
  notificationUrl: receiverUrl ? `${receiverUrl}/api/v1/webhook/mercado-pago` : undefined,
  mercadoPago: { paymentMethodId: 'visa', installments: 1 },
});

describe('verifyMercadoPagoSignature (signatures made by the Mercado Pago simulator)', () => {
  const SECRET = 'mp-webhook-secret-for-tests';
  let sim: MercadoPagoSimulator;
  let receiver: WebhookReceiver;
  let delivery: ReceivedWebhook;

  const inputOf = (d: ReceivedWebhook) => ({
    xSignature: d.headers['x-signature'],
    xRequestId: d.headers['x-request-id'],
    dataId: d.query.get('data.id') ?? undefined,
    secret: SECRET,
    toleranceSeconds: 300,
  });
  const tsOf = (d: ReceivedWebhook) => Number(/ts=(\d+)/.exec(String(d.headers['x-signature']))![1]);

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    sim = await startMercadoPagoSimulator({ webhookSecret: SECRET });
    const gateway = createMercadoPagoGateway({ accessToken: 'TEST-token', baseUrl: sim.url, timeoutMs: 2_000 });
    await gateway.charge(charge(receiver.url));
    await sim.webhooks.settled();
    delivery = receiver.received[0];
  });

  afterAll(() => Promise.all([sim.close(), receiver.close()]));

  it('delivers to the payment notification_url with data.id and type in the query', () => {
    expect(delivery.path).toBe('/api/v1/webhook/mercado-pago');
    expect(delivery.query.get('type')).toBe('payment');
    expect(JSON.parse(delivery.rawBody.toString())).toMatchObject({
      type: 'payment',
      action: 'payment.created',
      data: { id: delivery.query.get('data.id') },
    });
  });

  it('accepts a valid signature', () => {
    expect(verifyMercadoPagoSignature(inputOf(delivery))).toEqual({ ok: true });
  });

  it('agrees with the Mercado Pago SDK validator (which the API may not import)', () => {
    expect(() => WebhookSignatureValidator.validate(inputOf(delivery))).not.toThrow();
    expect(() => WebhookSignatureValidator.validate({ ...inputOf(delivery), secret: 'another-secret' })).toThrow();
  });

  it('rejects a wrong secret', () => {
    expect(verifyMercadoPagoSignature({ ...inputOf(delivery), secret: 'another-secret' })).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a tampered data.id or request id', () => {
    expect(verifyMercadoPagoSignature({ ...inputOf(delivery), dataId: '1000000999' })).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
    expect(verifyMercadoPagoSignature({ ...inputOf(delivery), xRequestId: 'b7f0c2de-0000-4000-8000-000000000000' })).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a missing or malformed header, and a missing secret', () => {
    expect(verifyMercadoPagoSignature({ ...inputOf(delivery), xSignature: undefined })).toEqual({
      ok: false,
      reason: 'missing_signature',
    });
    expect(verifyMercadoPagoSignature({ ...inputOf(delivery), xSignature: 'v1=abc' })).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
    expect(verifyMercadoPagoSignature({ ...inputOf(delivery), xSignature: `ts=${tsOf(delivery)}` })).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
    expect(verifyMercadoPagoSignature({ ...inputOf(delivery), secret: '' })).toEqual({
      ok: false,
      reason: 'missing_secret',
    });
  });

  it('rejects a stale (or future) timestamp even when the signature is right', () => {
    const ts = tsOf(delivery) * 1000;
    expect(verifyMercadoPagoSignature({ ...inputOf(delivery), now: ts + 301_000 })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(verifyMercadoPagoSignature({ ...inputOf(delivery), now: ts - 301_000 })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(verifyMercadoPagoSignature({ ...inputOf(delivery), now: ts + 299_000 })).toEqual({ ok: true });
  });

  it('replays the same event id with a valid signature (the processed-webhook table must drop it)', async () => {
    const eventId = String((JSON.parse(delivery.rawBody.toString()) as { id: number }).id);
    await sim.webhooks.replay(eventId);
    const replayed = receiver.received.at(-1)!;

    expect(String((JSON.parse(replayed.rawBody.toString()) as { id: number }).id)).toBe(eventId);
    expect(replayed.headers['x-request-id']).not.toBe(delivery.headers['x-request-id']);
    expect(verifyMercadoPagoSignature(inputOf(replayed))).toEqual({ ok: true });
  });

  it('lower-cases an alphanumeric data.id and omits missing parts from the manifest', () => {
    const ts = '1704908010';
    const hmac = (manifest: string) => createHmac('sha256', SECRET).update(manifest).digest('hex');
    const base = { xRequestId: 'req-1', secret: SECRET, toleranceSeconds: 60, now: Number(ts) * 1000 };

    const withId = { ...base, xSignature: `ts=${ts},v1=${hmac(`id:ord01abc;request-id:req-1;ts:${ts};`)}` };
    expect(verifyMercadoPagoSignature({ ...withId, dataId: 'ORD01ABC' })).toEqual({ ok: true });

    const noId = { ...base, xSignature: `ts=${ts},v1=${hmac(`request-id:req-1;ts:${ts};`)}` };
    expect(verifyMercadoPagoSignature({ ...noId, dataId: undefined })).toEqual({ ok: true });
  });

  it('reads a 13-digit timestamp as milliseconds', () => {
    const tsMs = '1704908010123';
    const v1 = createHmac('sha256', SECRET).update(`id:42;request-id:r;ts:${tsMs};`).digest('hex');
    const input = { xSignature: `ts=${tsMs},v1=${v1}`, xRequestId: 'r', dataId: 42, secret: SECRET, toleranceSeconds: 60 };
    expect(verifyMercadoPagoSignature({ ...input, now: 1704908010123 + 5_000 })).toEqual({ ok: true });
  });
});

describe('verifyConektaDigest (signatures made by the Conekta simulator)', () => {
  let sim: ConektaSimulator;
  let receiver: WebhookReceiver;
  let publicKeyPem: string;
  let delivery: ReceivedWebhook;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    sim = await startConektaSimulator();
    sim.setWebhookUrl(`${receiver.url}/api/v1/webhook/conekta`);
    // The company's key, fetched once as the admin setup would (POST /webhook_keys).
    const res = await fetch(`${sim.url}/webhook_keys`, {
      method: 'POST',
      headers: { authorization: 'Bearer key_test', 'content-type': 'application/json' },
      body: JSON.stringify({ active: true }),
    });
    publicKeyPem = ((await res.json()) as { public_key: string }).public_key;
    const gateway = createConektaGateway({ privateKey: 'key_test', baseUrl: sim.url, timeoutMs: 2_000 });
    await gateway.charge(charge());
    await sim.webhooks.settled();
    delivery = receiver.received[0];
  });

  afterAll(() => Promise.all([sim.close(), receiver.close()]));

  it('delivers the event envelope with a digest header', () => {
    expect(JSON.parse(delivery.rawBody.toString())).toMatchObject({
      object: 'event',
      type: 'order.paid',
      data: { object: { object: 'order' } },
    });
    expect(delivery.headers.digest).toEqual(expect.any(String));
  });

  it('accepts a valid digest over the raw body', () => {
    expect(verifyConektaDigest(delivery.rawBody, delivery.headers.digest, publicKeyPem)).toEqual({ ok: true });
  });

  it('rejects a tampered body, even by one byte or re-serialised', () => {
    const tampered = Buffer.from(delivery.rawBody);
    tampered[tampered.length - 2] ^= 1;
    expect(verifyConektaDigest(tampered, delivery.headers.digest, publicKeyPem)).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(delivery.rawBody.toString()), null, 1));
    expect(verifyConektaDigest(reserialised, delivery.headers.digest, publicKeyPem)).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a signature from another key', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(verifyConektaDigest(delivery.rawBody, delivery.headers.digest, other)).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a missing or malformed header and an unusable key', () => {
    expect(verifyConektaDigest(delivery.rawBody, undefined, publicKeyPem)).toEqual({
      ok: false,
      reason: 'missing_signature',
    });
    expect(verifyConektaDigest(delivery.rawBody, 'c2hvcnQ=', publicKeyPem)).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
    expect(verifyConektaDigest(delivery.rawBody, delivery.headers.digest, 'not a key')).toEqual({
      ok: false,
      reason: 'invalid_public_key',
    });
  });

  it('checks each call against the key it is given, however often keys alternate (parsed keys are kept by PEM)', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const check = (pem: string) => verifyConektaDigest(delivery.rawBody, delivery.headers.digest, pem);
    for (let round = 0; round < 3; round++) {
      expect(check(publicKeyPem)).toEqual({ ok: true });
      expect(check(other)).toEqual({ ok: false, reason: 'signature_mismatch' });
      expect(check('not a key')).toEqual({ ok: false, reason: 'invalid_public_key' });
    }
  });

  it('replays the same event id with a valid digest (the processed-webhook table must drop it)', async () => {
    const { id } = JSON.parse(delivery.rawBody.toString()) as { id: string };
    await sim.webhooks.replay(id);
    const replayed = receiver.received.at(-1)!;

    expect((JSON.parse(replayed.rawBody.toString()) as { id: string }).id).toBe(id);
    expect(verifyConektaDigest(replayed.rawBody, replayed.headers.digest, publicKeyPem)).toEqual({ ok: true });
  });

  describe('the other readings of Conekta’s "sha256 encrypted with the private key"', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const body = Buffer.from('{"id":"evt_1","type":"order.paid"}');
    const hash = createHash('sha256').update(body).digest();
    const encrypt = (data: Buffer) => privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, data);

    it('accepts the raw hash or its hex encrypted with the private key (publicDecrypt)', () => {
      expect(verifyConektaDigest(body, encrypt(hash).toString('base64'), pem)).toEqual({ ok: true });
      expect(verifyConektaDigest(body, encrypt(Buffer.from(hash.toString('hex'))).toString('base64'), pem)).toEqual({ ok: true });
      expect(verifyConektaDigest(Buffer.from('{"id":"evt_2"}'), encrypt(hash).toString('base64'), pem)).toEqual({
        ok: false,
        reason: 'signature_mismatch',
      });
    });

    it('accepts a hex-encoded header', () => {
      expect(verifyConektaDigest(body, sign('sha256', body, privateKey).toString('hex'), pem)).toEqual({ ok: true });
    });
  });
});
