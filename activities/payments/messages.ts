/**
 * Customer-facing Spanish messages for payment results, word for word what the service always answered, so existing
 * portals show the same text. Keyed by the gateway's own codes.
 */
import type { ErrorCode } from '../../domain/errors';

/** Conekta error and decline codes. */
export const CONEKTA_MESSAGES: Readonly<Record<string, string>> = {
  processing_error: 'Error al procesar el pago. Intente nuevamente.',
  'conekta.errors.processing.tokenization.used': 'El token de tarjeta ya fue utilizado. Genere un nuevo token.',
  'conekta.errors.processing.tokenization.invalid': 'Token de tarjeta inválido. Genere un nuevo token.',
  'conekta.errors.processing.tokenization.expired': 'Token de tarjeta expirado. Genere un nuevo token.',
  card_declined: 'Tarjeta declinada. Contacte a su banco.',
  insufficient_funds: 'Fondos insuficientes en la tarjeta.',
  expired_card: 'Tarjeta expirada. Use otra tarjeta.',
  invalid_card: 'Tarjeta inválida. Verifique los datos.',
  stolen_card: 'Tarjeta reportada como robada.',
  suspected_fraud: 'Actividad sospechosa detectada.',
  card_not_supported: 'Tarjeta no soportada.',
  card_number_incorrect: 'Número de tarjeta incorrecto.',
  cvv_incorrect: 'Código de seguridad (CVV) incorrecto.',
  declined_by_3ds: 'La autenticación 3-D Secure no se completó. Intente nuevamente.',
  parameter_validation_error: 'Datos inválidos en la solicitud.',
  invalid_parameter: 'Parámetro inválido.',
  missing_parameter: 'Falta parámetro requerido.',
  invalid_amount: 'Monto inválido.',
  invalid_currency: 'Moneda inválida.',
  invalid_email: 'Correo electrónico inválido.',
  invalid_phone: 'Número de teléfono inválido.',
  authentication_error: 'Error de autenticación. Contacte al administrador.',
  invalid_api_key: 'Clave API inválida.',
  unauthorized_request: 'No autorizado.',
  resource_not_found: 'Recurso no encontrado.',
  order_not_found: 'Orden no encontrada.',
  customer_not_found: 'Cliente no encontrado.',
  gateway_error: 'Error en el procesador de pagos.',
  bank_connection_error: 'Error de conexión con el banco.',
  server_error: 'Error interno del servidor.',
  rate_limit_exceeded: 'Límite de solicitudes excedido. Espere un momento.',
  quota_exceeded: 'Cuota excedida. Contacte a Conekta.',
  default: 'Error al procesar el pago. Intente nuevamente.',
};

/**
 * Conekta's dotted codes (`conekta.errors.processing.bank.declined`…) → the keys above. Codes ending in a key
 * (`….bank.insufficient_funds`) need no entry.
 */
const CONEKTA_ALIASES: Readonly<Record<string, string>> = {
  'conekta.errors.processing.bank.declined': 'card_declined',
  'conekta.errors.processing.bank_bindings.declined': 'card_declined',
  'conekta.errors.processing.bank.call_issuer': 'card_declined',
  'conekta.errors.processing.bank.pick_up_card': 'stolen_card',
  'conekta.errors.processing.charge.card_payment.suspicious_behaviour': 'suspected_fraud',
  'conekta.errors.parameter_validation.charge.rejected_by_risk': 'suspected_fraud',
  'conekta.errors.processing.bank.invalid_card_security_code': 'cvv_incorrect',
  'conekta.errors.processing.bank.invalid_expiration_date': 'expired_card',
  'conekta.errors.processing.charge.card_payment.declined_by_3ds': 'declined_by_3ds',
  'conekta.errors.processing.bank.communication_error': 'bank_connection_error',
  'conekta.errors.processing.bank.timeout': 'bank_connection_error',
};

/** Conekta order `payment_status` → message, for an order that is not paid. */
export const CONEKTA_STATUS_MESSAGES: Readonly<Record<string, string>> = {
  pending: 'El pago está pendiente de confirmación.',
  declined: 'El pago fue declinado. Contacte a su banco.',
  expired: 'El pago expiró. Realice una nueva transacción.',
  canceled: 'El pago fue cancelado.',
  refunded: 'El pago fue reembolsado.',
  partially_refunded: 'El pago fue reembolsado.',
  charged_back: 'Disputa activa en el pago.',
  chargeback: 'Disputa activa en el pago.',
  pre_authorized: 'Pago pre-autorizado pendiente de captura.',
  partially_paid: 'El pago está parcialmente completado.',
  pending_payment: 'Pendiente de procesamiento de pago.',
  failed: 'El pago falló. Intente nuevamente.',
  voided: 'El pago fue anulado.',
  default: 'El pago no fue aprobado.',
};

/** Mercado Pago `status_detail` → message. */
export const MERCADO_PAGO_MESSAGES: Readonly<Record<string, string>> = {
  cc_rejected_insufficient_amount: '❌ Fondos insuficientes en la tarjeta.',
  cc_rejected_bad_filled_card_number: '❌ Número de tarjeta incorrecto. Verifique los datos.',
  cc_rejected_bad_filled_date: '❌ Fecha de vencimiento incorrecta.',
  cc_rejected_bad_filled_security_code: '❌ Código de seguridad (CVV) incorrecto.',
  cc_rejected_high_risk: '⚠️ Pago rechazado por políticas de seguridad.',
  cc_rejected_card_disabled: '❌ Tarjeta deshabilitada. Contacte a su banco.',
  cc_rejected_blacklist: '❌ No se puede procesar el pago con esta tarjeta.',
  cc_rejected_card_error: '❌ Error al procesar la tarjeta. Intente nuevamente.',
  cc_rejected_duplicated_payment: '⚠️ Este pago ya fue procesado anteriormente.',
  cc_rejected_call_for_authorize: '⚠️ El pago requiere autorización del banco.',
  cc_rejected_max_attempts: '⏰ Máximo de intentos excedido. Espere e intente más tarde.',
  cc_rejected_other_reason: '❌ Tarjeta rechazada. Contacte a su banco.',
  invalid_payment_method: '❌ Método de pago inválido.',
  invalid_token: '❌ Token de pago inválido o expirado.',
  invalid_user: '❌ Información del pagador inválida.',
  invalid_installments: '❌ Número de cuotas no válido para esta tarjeta.',
  pending_contingency: '⏳ El pago está pendiente de confirmación.',
  pending_review_manual: '⏳ El pago está siendo revisado manualmente.',
  pending_waiting_payment: '⏳ Esperando confirmación del pago.',
  pending_challenge: '🔐 Complete la verificación 3-D Secure de su banco.',
  authentication_error: '🔐 Error de autenticación con Mercado Pago.',
  invalid_access_token: '🔐 Credenciales de Mercado Pago inválidas.',
  default: '❌ Error al procesar el pago. Intente nuevamente.',
};

/** Mercado Pago payment `status` → message, when its `status_detail` has none. */
export const MERCADO_PAGO_STATUS_MESSAGES: Readonly<Record<string, string>> = {
  rejected: 'El pago fue rechazado.',
  cancelled: 'El pago fue cancelado.',
  refunded: 'El pago fue reembolsado.',
  charged_back: 'Disputa activa en el pago.',
  in_mediation: 'El pago está en mediación.',
  in_process: 'El pago está siendo procesado.',
  pending: '⏳ Esperando confirmación del pago.',
  authorized: '⏳ El pago está pendiente de confirmación.',
  default: 'El pago no fue aprobado.',
};

/** Conekta's 3-D Secure step: the customer is sent to the bank's page. */
export const CONEKTA_THREE_DS_MESSAGE = 'Complete la autenticación 3-D Secure de su banco.';

const GATEWAY_ERROR_MESSAGES: Readonly<Record<string, string>> = {
  PAYMENT_GATEWAY_UNAVAILABLE: 'El procesador de pagos no responde. Intente nuevamente.',
  PAYMENT_NOT_CONFIGURED: 'Error de autenticación con el procesador de pagos. Contacte al administrador.',
  PAYMENT_NOT_FOUND: 'Pago no encontrado.',
  PAYMENT_GATEWAY_REJECTED: 'Error al procesar el pago. Intente nuevamente.',
};

function lookup(table: Readonly<Record<string, string>>, key: string | undefined): string | undefined {
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * Message for a Conekta error or decline code: exact key, then a known dotted code, then the code's last segment
 * (`conekta.errors.processing.bank.insufficient_funds` → `insufficient_funds`). An empty or unknown code gets the
 * default, never whichever entry a loose match would find first.
 */
export function conektaMessage(code: string | undefined): string {
  const key = code?.trim().toLowerCase();
  if (!key) return CONEKTA_MESSAGES.default;
  return (
    lookup(CONEKTA_MESSAGES, key) ??
    lookup(CONEKTA_MESSAGES, lookup(CONEKTA_ALIASES, key)) ??
    lookup(CONEKTA_MESSAGES, key.slice(key.lastIndexOf('.') + 1)) ??
    CONEKTA_MESSAGES.default
  );
}

export function conektaStatusMessage(status: string | undefined): string {
  return lookup(CONEKTA_STATUS_MESSAGES, status) ?? CONEKTA_STATUS_MESSAGES.default;
}

/** Message for a Mercado Pago `status_detail`, falling back to the payment `status`'s message. */
export function mercadoPagoMessage(statusDetail: string | undefined, status?: string): string {
  return (
    lookup(MERCADO_PAGO_MESSAGES, statusDetail) ??
    lookup(MERCADO_PAGO_STATUS_MESSAGES, status) ??
    (status === undefined ? MERCADO_PAGO_MESSAGES.default : MERCADO_PAGO_STATUS_MESSAGES.default)
  );
}

/** Generic message for a failed gateway call, by error code. */
export function gatewayErrorMessage(code: ErrorCode): string {
  return lookup(GATEWAY_ERROR_MESSAGES, code) ?? GATEWAY_ERROR_MESSAGES.PAYMENT_GATEWAY_REJECTED;
}
