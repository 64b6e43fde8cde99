/**
 * Mercado Pago adapter (the only file that imports the `mercadopago` SDK). Card payments through the Payments API;
 * our purchase id is the `external_reference` and the seed of every idempotency key. A charge is made once because
 * its `X-Idempotency-Key` is derived from the purchase id; should Mercado Pago have forgotten the key, the spent card
 * token sends us to the documented `external_reference` search instead.
 *
 * One file over 300 lines because it is one SDK's adapter: every call through the SDK, with its client-per-call and
 * error mapping, stays where the SDK is imported (what a payment means is in mercadopago-payments.ts).
 */
import { createHash } from 'node:crypto';
import {
  MercadoPagoConfig,
  MercadoPagoError,
  MPAuthenticationError,
  MPConnectionError,
  MPDependencyError,
  MPForbiddenError,
  MPNotFoundError,
  MPRateLimitError,
  MPResourceLockedError,
  MPServerError,
  Payment,
  PaymentRefund,
} from 'mercadopago';
import type { PaymentCreateRequest } from 'mercadopago/dist/clients/payment/create/types';
import { AppConfig } from 'mercadopago/dist/utils/config';
import { centsToMajor } from '../../domain/money';
import type { PaymentOutcome } from '../../domain/payment';
import type { Logger } from '../../shared/logger';
import { createLogger } from '../../shared/logger';
import {
  assertAmountCents,
  assertConfigured,
  chargesSince,
  decodeCursor,
  encodeCursor,
  gatewayFailure,
  invalidRequest,
  isCancelledOrDeclined,
  mostRelevant,
  PaymentGatewayError,
  refundableCents,
  searchWindow,
  waitingOutRateLimits,
  type ChargeRequest,
  type PaymentGateway,
  type PaymentSearch,
  type PaymentSearchPage,
} from './gateway';
import { mercadoPagoMessage } from './messages';
import { mercadoPagoOutcome, mercadoPagoRecord } from './mercadopago-payments';

export interface MercadoPagoGatewayOptions {
  /** The company's access token (decrypted by the caller); never logged. */
  accessToken: string;
  /** MERCADO_PAGO_API_BASE_URL: https://api.mercadopago.com, or a simulator. */
  baseUrl: string;
  timeoutMs: number;
  logger?: Logger;
}

/** Payments per search page: what Mercado Pago's own SDK pages by (the maximum is not documented). */
const PAGE_SIZE = 100;

/** A search date in the documented `yyyy-MM-dd'T'HH:mm:ss.SSSZ` shape, with a numeric UTC offset. */
function searchDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** Where a search page starts: the last change time seen, and how many payments of that very time were seen. */
interface SearchCursor {
  from: number;
  skip: number;
}

/**
 * A stable UUID-shaped idempotency key per operation, derived from our ids only: every retry of the same activity
 * sends the same key, so Mercado Pago answers with the first result instead of charging again.
 */
export function mercadoPagoIdempotencyKey(...parts: Array<string | number>): string {
  const h = createHash('sha256').update(['pagos-hotspot', ...parts].join(':')).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The payment of one charge: the amount in major units, our purchase id as `external_reference`, 3-D Secure when asked. */
function paymentRequest(req: ChargeRequest, card: NonNullable<ChargeRequest['mercadoPago']>): PaymentCreateRequest {
  const [firstName, ...rest] = req.customer.name.trim().split(/\s+/);
  const amount = centsToMajor(req.amountCents);
  return {
    transaction_amount: amount,
    token: req.cardToken,
    description: req.description,
    installments: card.installments,
    payment_method_id: card.paymentMethodId,
    ...(card.issuerId ? { issuer_id: Number(card.issuerId) } : {}),
    external_reference: req.purchaseId,
    notification_url: req.notificationUrl,
    // Pending must stay possible: a 3-D Secure challenge and a manual review are both `pending`/`in_process`,
    // which binary mode would turn into rejections. The purchase workflow bounds the wait and cancels after it.
    binary_mode: false,
    three_d_secure_mode: req.threeDSecure ? 'optional' : 'not_supported',
    payer: {
      email: req.customer.email,
      ...(firstName ? { first_name: firstName } : {}),
      ...(rest.length ? { last_name: rest.join(' ') } : {}),
    },
    metadata: { ...req.metadata, purchase_id: req.purchaseId },
    additional_info: {
      items: [
        { id: req.metadata?.productId ?? req.purchaseId, title: req.description, quantity: 1, unit_price: amount },
      ],
      ...(req.clientIp ? { ip_address: req.clientIp } : {}),
    },
  };
}

/** Error classes the SDK picks from one HTTP status (a 5xx or a generic 4xx may be any of several). */
const STATUS_OF_CLASS: Array<[new (...args: never[]) => MercadoPagoError, number]> = [
  [MPRateLimitError, 429],
  [MPResourceLockedError, 423],
  [MPDependencyError, 424],
  [MPAuthenticationError, 401],
  [MPForbiddenError, 403],
  [MPNotFoundError, 404],
];

/**
 * HTTP status of an SDK error. The SDK picks the class from the real status, while `.status` is copied from the
 * body, so the class decides and `.status` only refines it within its range.
 */
function httpStatusOf(error: MercadoPagoError): number | undefined {
  if (error instanceof MPConnectionError) return undefined;
  if (error instanceof MPServerError) return error.status >= 500 ? error.status : 500;
  const fixed = STATUS_OF_CLASS.find(([errorClass]) => error instanceof errorClass)?.[1];
  return fixed ?? (error.status >= 400 && error.status < 500 ? error.status : 400);
}

/** Mercado Pago's cause code for a card token it does not know: spent or expired (tokens are single use). */
const TOKEN_NOT_FOUND = '2006';

function failure(error: unknown): Error {
  if (!(error instanceof MercadoPagoError)) return error instanceof Error ? error : new Error(String(error));
  const causes = error.causes as Array<{ code?: number | string }>;
  const gatewayCode = causes[0]?.code !== undefined ? String(causes[0].code) : error.error || undefined;
  const message = gatewayCode === TOKEN_NOT_FOUND ? mercadoPagoMessage('invalid_token') : mercadoPagoMessage(undefined);
  const retryAfter = error instanceof MPRateLimitError && error.retryAfter !== null ? error.retryAfter : undefined;
  return gatewayFailure('mercado_pago', httpStatusOf(error), gatewayCode, message, retryAfter);
}

/** One gateway per company credential set. Every method is safe to retry (see PaymentGateway). */
export function createMercadoPagoGateway(options: MercadoPagoGatewayOptions): PaymentGateway {
  return new MercadoPagoGateway(options);
}

class MercadoPagoGateway implements PaymentGateway {
  readonly gateway = 'mercado_pago';
  private readonly log: Logger;
  private readonly baseUrl: string;

  constructor(private readonly options: MercadoPagoGatewayOptions) {
    assertConfigured('mercado_pago', options.accessToken);
    this.log = (options.logger ?? createLogger({ level: 'silent' })).child({ gateway: 'mercado_pago' });
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /**
   * The one place the SDK is reached. A fresh config per call: the SDK merges request options into its config, so
   * a shared one would send one call's idempotency key with the next. `maxRetries: 0`: Temporal owns retries.
   * AppConfig.BASE_URL is process-global; the SDK reads it synchronously when the request starts, so setting it
   * right before the (synchronous) call is race-free even with gateways for different base URLs in one process.
   */
  private async call<T>(operation: string, run: (config: MercadoPagoConfig) => Promise<T>): Promise<T> {
    const config = new MercadoPagoConfig({
      accessToken: this.options.accessToken,
      options: { timeout: this.options.timeoutMs, maxRetries: 0 },
    });
    (AppConfig as { BASE_URL: string }).BASE_URL = this.baseUrl;
    try {
      return await run(config);
    } catch (error) {
      const failed = failure(error);
      if (failed instanceof PaymentGatewayError) {
        const { httpStatus, gatewayCode } = failed.details;
        this.log.warn({ operation, httpStatus, gatewayCode, retryable: failed.retryable }, 'mercado pago call failed');
      }
      throw failed;
    }
  }

  /** A read: waits out the rate limit. */
  private read<T>(operation: string, run: (config: MercadoPagoConfig) => Promise<T>): Promise<T> {
    return waitingOutRateLimits(() => this.call(operation, run));
  }

  async getStatus(reference: string): Promise<PaymentOutcome> {
    return mercadoPagoOutcome(await this.read('getStatus', (config) => new Payment(config).get({ id: reference })));
  }

  /** The documented `external_reference` search, over payments created since the purchase row was (minus the clocks' margin). */
  async findByPurchaseId(purchaseId: string, purchaseCreatedAt: Date): Promise<PaymentOutcome | null> {
    const found: PaymentOutcome[] = [];
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const options = {
        external_reference: purchaseId,
        range: 'date_created',
        begin_date: searchDate(chargesSince(purchaseCreatedAt).getTime()),
        sort: 'date_created',
        criteria: 'desc',
        limit: PAGE_SIZE,
        offset,
      } as const;
      const page = await this.read('findByPurchaseId', (config) => new Payment(config).search({ options }));
      const results = page.results ?? [];
      found.push(...results.filter((p) => p.external_reference === purchaseId).map(mercadoPagoOutcome));
      if (results.length === 0 || offset + results.length >= (page.paging?.total ?? 0)) break;
    }
    return mostRelevant(found);
  }

  /**
   * Keyset paging over `date_last_updated`, ascending: each page starts at the last change time seen, skipping the
   * payments of that very time already listed. A payment that changes while we page moves past the window's end
   * instead of shifting the others under an offset, and offsets stay small (the documented limits are unknown).
   */
  async searchPayments(search: PaymentSearch): Promise<PaymentSearchPage> {
    const { from, to } = searchWindow('mercado_pago', search);
    const cursor = search.cursor ? decodeCursor<SearchCursor>('mercado_pago', search.cursor) : { from, skip: 0 };
    if (!Number.isSafeInteger(cursor.from) || !Number.isSafeInteger(cursor.skip) || cursor.skip < 0) {
      throw invalidRequest('mercado_pago', 'Cursor de búsqueda inválido.');
    }
    const options = {
      range: 'date_last_updated',
      begin_date: searchDate(cursor.from),
      end_date: searchDate(to),
      sort: 'date_last_updated',
      criteria: 'asc',
      limit: PAGE_SIZE,
      offset: cursor.skip,
    } as const;
    const page = await this.read('searchPayments', (config) => new Payment(config).search({ options }));
    const results = page.results ?? [];
    const items = results.map(mercadoPagoRecord);
    if (results.length === 0 || cursor.skip + results.length >= (page.paging?.total ?? 0)) return { items };
    const last = Date.parse(items[items.length - 1].updatedAt);
    const atLast = items.filter((item) => Date.parse(item.updatedAt) === last).length;
    const next: SearchCursor = last === cursor.from ? { from: last, skip: cursor.skip + results.length } : { from: last, skip: atLast };
    return { items, nextCursor: encodeCursor(next) };
  }

  async charge(req: ChargeRequest): Promise<PaymentOutcome> {
    assertAmountCents('mercado_pago', req.amountCents);
    const card = req.mercadoPago;
    if (!card) throw invalidRequest('mercado_pago', mercadoPagoMessage('invalid_payment_method'));
    const body = paymentRequest(req, card);
    const create = () =>
      this.call('charge', (config) =>
        new Payment(config).create({
          body,
          requestOptions: {
            idempotencyKey: mercadoPagoIdempotencyKey('charge', req.purchaseId),
            ...(card.deviceId ? { meliSessionId: card.deviceId } : {}),
          },
        }),
      );
    const outcome = await create().then(mercadoPagoOutcome, async (error: unknown) => {
      // The same key normally gets the first payment back. A spent token with no replay means the key was
      // forgotten (its lifetime is not documented) or another purchase spent the token: look for ours.
      const spent = error instanceof PaymentGatewayError && error.details.gatewayCode === TOKEN_NOT_FOUND;
      const earlier = spent ? await this.findByPurchaseId(req.purchaseId, req.purchaseCreatedAt) : null;
      if (!earlier) throw error;
      this.log.info({ purchaseId: req.purchaseId, reference: earlier.reference }, 'mercado pago charge found by external_reference');
      return earlier;
    });
    const { reference, status, gatewayStatus, code } = outcome;
    this.log.info({ purchaseId: req.purchaseId, reference, status, gatewayStatus, code }, 'mercado pago charge');
    return outcome;
  }

  async refund(reference: string, amountCents?: number): Promise<PaymentOutcome> {
    const current = await this.getStatus(reference);
    if (amountCents === undefined && refundableCents(current) === 0) return current; // already fully refunded
    if (amountCents !== undefined) assertAmountCents('mercado_pago', amountCents);
    await this.call('refund', (config) =>
      new PaymentRefund(config).create({
        payment_id: reference,
        // No amount = refund the rest; the key covers the amount so a different partial refund is a new one.
        ...(amountCents !== undefined ? { body: { amount: centsToMajor(amountCents) } } : {}),
        requestOptions: { idempotencyKey: mercadoPagoIdempotencyKey('refund', reference, amountCents ?? 'rest') },
      }),
    );
    const outcome = await this.getStatus(reference);
    this.log.info({ reference, amountCents, gatewayStatus: outcome.gatewayStatus }, 'mercado pago refund');
    return outcome;
  }

  async cancel(reference: string): Promise<PaymentOutcome> {
    const current = await this.getStatus(reference);
    if (isCancelledOrDeclined(current)) return current;
    const payment = await this.call('cancel', (config) =>
      new Payment(config).cancel({
        id: reference,
        requestOptions: { idempotencyKey: mercadoPagoIdempotencyKey('cancel', reference) },
      }),
    );
    this.log.info({ reference, gatewayStatus: payment.status }, 'mercado pago cancel');
    return mercadoPagoOutcome(payment);
  }
}
