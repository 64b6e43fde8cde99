import type { DeclineReason } from '../lib/scenarios';

/** Conekta's decline codes per reason (codes seen in Conekta integrations; messages as Conekta words them). */
export const CONEKTA_DECLINES: Record<DeclineReason, { code: string; message: string; debug: string }> = {
  declined: {
    code: 'conekta.errors.processing.bank.declined',
    message: 'Esta tarjeta fue declinada. Por favor intenta con otro método de pago.',
    debug: 'The card was declined.',
  },
  insufficient_funds: {
    code: 'conekta.errors.processing.bank.insufficient_funds',
    message: 'Esta tarjeta no tiene suficientes fondos para completar la compra.',
    debug: 'Insufficient funds.',
  },
  stolen: {
    code: 'conekta.errors.processing.bank.pick_up_card',
    message: 'Esta tarjeta fue reportada como robada o extraviada.',
    debug: 'Pick up card (lost or stolen).',
  },
  fraud: {
    code: 'conekta.errors.processing.charge.card_payment.suspicious_behaviour',
    message: 'Este cargo ha sido declinado porque el comportamiento del comprador es sospechoso.',
    debug: 'Suspicious behaviour.',
  },
};

export const THREE_DS_DECLINE = {
  code: 'conekta.errors.processing.charge.card_payment.declined_by_3ds',
  message: 'La autenticación 3-D Secure falló.',
  debug: 'Declined by 3DS.',
};

export const TOKEN_USED = {
  code: 'conekta.errors.processing.tokenization.used',
  message: 'El token ya ha sido usado.',
  debug: 'The token has already been used.',
};

export const TOKEN_INVALID = {
  code: 'conekta.errors.processing.tokenization.invalid',
  message: 'El token no es válido.',
  debug: 'The token does not exist.',
};
