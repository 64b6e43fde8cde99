import { Writable } from 'node:stream';
import { createConektaGateway } from '../../../activities/payments/conekta';
import type { ChargeRequest, PaymentGateway } from '../../../activities/payments/gateway';
import { createMercadoPagoGateway } from '../../../activities/payments/mercadopago';
import { startConektaSimulator, type ConektaSimulator } from '../../../sandbox/conekta/server';
import { startMercadoPagoSimulator, type MercadoPagoSimulator } from '../../../sandbox/mercadopago/server';
import { createLogger } from '../../../shared/logger';
import { purchaseId, token } from '../../sandbox/payments/helpers';

const PRIVATE_KEY = 'key_SECRETconektaPrivate0001';
const ACCESS_TOKEN = 'APP_USR-SECRETmercadoPagoAccess0001';

describe('payment gateways never log secrets', () => {
  let conektaSim: ConektaSimulator;
  let mpSim: MercadoPagoSimulator;
  const lines: string[] = [];
  const logger = createLogger(
    { level: 'trace', name: 'payments-test' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );

  beforeAll(async () => {
    [conektaSim, mpSim] = await Promise.all([
      startConektaSimulator({ privateKey: PRIVATE_KEY }),
      startMercadoPagoSimulator({ accessToken: ACCESS_TOKEN }),
    ]);
  });

  afterAll(() => Promise.all([conektaSim.close(), mpSim.close()]));

  /** Every path that logs: approved, declined, failure with a body, timeout, refund, cancel, bad credentials. */
  async function exercise(
    gateway: PaymentGateway,
    wrongCredentials: PaymentGateway,
    impatient: PaymentGateway,
    cardTokens: string[],
  ): Promise<void> {
    const request = (cardToken: string): ChargeRequest => ({
      purchaseId: purchaseId(),
      purchaseCreatedAt: new Date(),
      amountCents: 1999,
      currency: 'MXN',
      cardToken,
      customer: { name: 'Ana', email: 'ana@example.com' },
      description: 'Ficha 1 hora',
      threeDSecure: true,
      mercadoPago: { paymentMethodId: 'visa', installments: 1 },
    });
    const [approved, declined, failing, slow, pending, rejectedCredentials] = cardTokens;
    const charged = await gateway.charge(request(approved));
    await gateway.charge(request(declined));
    await gateway.charge(request(failing)).catch(() => undefined);
    await impatient.charge(request(slow)).catch(() => undefined);
    const waiting = await gateway.charge(request(pending));
    await gateway.refund(charged.reference);
    await gateway.cancel(waiting.reference);
    await wrongCredentials.charge(request(rejectedCredentials)).catch(() => undefined);
  }

  it('keeps card tokens, the private key and the access token out of every log line', async () => {
    const tokens = () => ['approved', 'declined', 'error', 'timeout', 'pending_approve', 'approved'].map(token);
    const conektaTokens = tokens();
    const mpTokens = tokens();
    await exercise(
      createConektaGateway({ privateKey: PRIVATE_KEY, baseUrl: conektaSim.url, timeoutMs: 2_000, logger }),
      createConektaGateway({ privateKey: `${PRIVATE_KEY}x`, baseUrl: conektaSim.url, timeoutMs: 2_000, logger }),
      createConektaGateway({ privateKey: PRIVATE_KEY, baseUrl: conektaSim.url, timeoutMs: 200, logger }),
      conektaTokens,
    );
    await exercise(
      createMercadoPagoGateway({ accessToken: ACCESS_TOKEN, baseUrl: mpSim.url, timeoutMs: 2_000, logger }),
      createMercadoPagoGateway({ accessToken: `${ACCESS_TOKEN}x`, baseUrl: mpSim.url, timeoutMs: 2_000, logger }),
      createMercadoPagoGateway({ accessToken: ACCESS_TOKEN, baseUrl: mpSim.url, timeoutMs: 200, logger }),
      mpTokens,
    );

    const output = lines.join('');
    expect(lines.length).toBeGreaterThan(10);
    expect(output).toContain('"gateway":"conekta"');
    expect(output).toContain('"gateway":"mercado_pago"');
    expect(output).toContain('call failed');
    for (const secret of ['SECRETconektaPrivate', 'SECRETmercadoPagoAccess', ...conektaTokens, ...mpTokens]) {
      expect(output).not.toContain(secret);
    }
  });
});
