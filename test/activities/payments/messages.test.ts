import { conektaOutcome } from '../../../activities/payments/conekta-orders';
import { mercadoPagoIdempotencyKey } from '../../../activities/payments/mercadopago';
import { mercadoPagoOutcome } from '../../../activities/payments/mercadopago-payments';
import {
  CONEKTA_MESSAGES,
  CONEKTA_STATUS_MESSAGES,
  conektaMessage,
  conektaStatusMessage,
  MERCADO_PAGO_MESSAGES,
  mercadoPagoMessage,
} from '../../../activities/payments/messages';

describe('Conekta messages', () => {
  it.each([
    ['card_declined', 'Tarjeta declinada. Contacte a su banco.'],
    ['insufficient_funds', 'Fondos insuficientes en la tarjeta.'],
    ['stolen_card', 'Tarjeta reportada como robada.'],
    ['suspected_fraud', 'Actividad sospechosa detectada.'],
    ['conekta.errors.processing.tokenization.used', 'El token de tarjeta ya fue utilizado. Genere un nuevo token.'],
    ['rate_limit_exceeded', 'Límite de solicitudes excedido. Espere un momento.'],
  ])('keeps the original message for %s', (code, message) => {
    expect(conektaMessage(code)).toBe(message);
  });

  it.each([
    ['conekta.errors.processing.bank.declined', 'Tarjeta declinada. Contacte a su banco.'],
    ['conekta.errors.processing.bank_bindings.declined', 'Tarjeta declinada. Contacte a su banco.'],
    ['conekta.errors.processing.bank.insufficient_funds', 'Fondos insuficientes en la tarjeta.'],
    ['conekta.errors.processing.bank.pick_up_card', 'Tarjeta reportada como robada.'],
    ['conekta.errors.processing.charge.card_payment.suspicious_behaviour', 'Actividad sospechosa detectada.'],
    ['conekta.errors.processing.bank.card_not_supported', 'Tarjeta no soportada.'],
    ['CONEKTA.ERRORS.PROCESSING.BANK.INSUFFICIENT_FUNDS', 'Fondos insuficientes en la tarjeta.'],
  ])('maps Conekta code %s to its message', (code, message) => {
    expect(conektaMessage(code)).toBe(message);
  });

  it('gives the default, never the first entry, for an empty or unknown code (the original matched "" to anything)', () => {
    for (const code of [undefined, '', '  ', 'something.else.entirely']) {
      expect(conektaMessage(code)).toBe(CONEKTA_MESSAGES.default);
    }
  });

  it('has a message for every order status', () => {
    for (const status of ['pending_payment', 'pre_authorized', 'declined', 'expired', 'canceled', 'voided', 'refunded', 'charged_back']) {
      expect(conektaStatusMessage(status)).toBe(CONEKTA_STATUS_MESSAGES[status]);
    }
    expect(conektaStatusMessage('weird')).toBe('El pago no fue aprobado.');
  });
});

describe('Mercado Pago messages', () => {
  it.each([
    ['cc_rejected_insufficient_amount', '❌ Fondos insuficientes en la tarjeta.'],
    ['cc_rejected_bad_filled_security_code', '❌ Código de seguridad (CVV) incorrecto.'],
    ['cc_rejected_high_risk', '⚠️ Pago rechazado por políticas de seguridad.'],
    ['cc_rejected_call_for_authorize', '⚠️ El pago requiere autorización del banco.'],
    ['cc_rejected_other_reason', '❌ Tarjeta rechazada. Contacte a su banco.'],
    ['pending_contingency', '⏳ El pago está pendiente de confirmación.'],
    ['pending_review_manual', '⏳ El pago está siendo revisado manualmente.'],
    ['pending_waiting_payment', '⏳ Esperando confirmación del pago.'],
  ])('keeps the original message for %s', (detail, message) => {
    expect(mercadoPagoMessage(detail)).toBe(message);
  });

  it('falls back to the status message, then the default', () => {
    expect(mercadoPagoMessage('by_collector', 'cancelled')).toBe('El pago fue cancelado.');
    expect(mercadoPagoMessage('something_new', 'rejected')).toBe('El pago fue rechazado.');
    expect(mercadoPagoMessage(undefined, 'strange')).toBe('El pago no fue aprobado.');
    expect(mercadoPagoMessage(undefined)).toBe(MERCADO_PAGO_MESSAGES.default);
  });
});

describe('status mapping', () => {
  const order = (payment_status: string, extra: object = {}) => ({
    id: 'ord_1',
    amount: 2000,
    currency: 'MXN',
    payment_status,
    ...extra,
  });

  it.each([
    ['paid', 'approved'],
    ['pending_payment', 'pending'],
    ['pre_authorized', 'pending'],
    ['declined', 'declined'],
    ['expired', 'cancelled'],
    ['canceled', 'cancelled'],
    ['voided', 'cancelled'],
    ['refunded', 'refunded'],
    ['partially_refunded', 'refunded'],
    ['charged_back', 'charged_back'],
  ])('maps Conekta %s to %s, with a Spanish message unless approved', (gatewayStatus, status) => {
    const outcome = conektaOutcome(order(gatewayStatus));
    expect(outcome).toMatchObject({ status, gatewayStatus, reference: 'ord_1', amountCents: 2000, currency: 'MXN' });
    if (status === 'approved') expect(outcome.message).toBeUndefined();
    else expect(outcome.message).toEqual(expect.any(String));
  });

  it('maps a Conekta order waiting on 3-D Secure to requires_action with its redirect URL', () => {
    const next_action = { type: 'redirect_to_url', redirect_to_url: { url: 'https://pay.conekta.com/3ds/x' } };
    const outcome = conektaOutcome(order('pending_payment', { next_action }));
    expect(outcome).toMatchObject({ status: 'requires_action', redirectUrl: 'https://pay.conekta.com/3ds/x' });
  });

  it('gives a declined Conekta order the message of its charge failure code', () => {
    const charge = { failure_code: 'conekta.errors.processing.bank.insufficient_funds' };
    const outcome = conektaOutcome(order('declined', { charges: { object: 'list', has_more: false, data: [charge] } }));
    expect(outcome).toMatchObject({
      code: 'conekta.errors.processing.bank.insufficient_funds',
      message: 'Fondos insuficientes en la tarjeta.',
    });
  });

  it.each([
    ['approved', 'accredited', 'approved'],
    ['in_process', 'pending_contingency', 'pending'],
    ['pending', 'pending_waiting_payment', 'pending'],
    ['authorized', 'pending_capture', 'pending'],
    ['rejected', 'cc_rejected_insufficient_amount', 'declined'],
    ['cancelled', 'by_collector', 'cancelled'],
    ['refunded', 'refunded', 'refunded'],
    ['charged_back', 'settled', 'charged_back'],
    ['in_mediation', '', 'charged_back'],
  ])('maps Mercado Pago %s/%s to %s, with a Spanish message unless approved', (gatewayStatus, detail, status) => {
    const outcome = mercadoPagoOutcome({
      id: 42,
      status: gatewayStatus,
      status_detail: detail,
      transaction_amount: 19.99,
      currency_id: 'MXN',
    });
    expect(outcome).toMatchObject({ status, gatewayStatus, reference: '42', amountCents: 1999, currency: 'MXN' });
    if (status === 'approved') expect(outcome.message).toBeUndefined();
    else expect(outcome.message).toEqual(expect.any(String));
  });

  it('maps a partially refunded Mercado Pago payment (still "approved") to refunded with the refunded cents', () => {
    const outcome = mercadoPagoOutcome({
      id: 1,
      status: 'approved',
      status_detail: 'partially_refunded',
      transaction_amount: 50,
      transaction_amount_refunded: 12.5,
    });
    expect(outcome).toMatchObject({ status: 'refunded', amountCents: 5000, refundedCents: 1250 });
  });

  it('derives the same UUID-shaped idempotency key from the same ids, every time', () => {
    const key = mercadoPagoIdempotencyKey('charge', 'pur_1');
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(mercadoPagoIdempotencyKey('charge', 'pur_1')).toBe(key);
    expect(mercadoPagoIdempotencyKey('refund', 'pur_1')).not.toBe(key);
  });
});
