import { z } from 'zod';
import { PURCHASE_GATEWAYS, USER_TYPES } from '../../../domain/purchase';
import { withAliases } from '../aliases';
import { Id, optionalBlank } from '../common';
import { DeviceIp, DeviceMac } from './device';
import { laxBoolean, laxInteger, laxNumber } from './lax';

/** The customer's name may be empty, as the previous service accepted (its portals often send no name field value). */
const name = z.string().trim().max(200);
const cardToken = z.string().trim().min(1).max(500);
const userType = z.preprocess((v) => (v === null ? undefined : v), z.enum(USER_TYPES).default('usuario_contrasena'));

/**
 * Fields both purchase bodies share, with the Spanish aliases portals written for the previous service send, and the
 * lenient numbers, booleans and device addresses of its validators.
 */
const common = {
  product_id: laxInteger(Id),
  customer_name: name,
  customer_email: z.email().max(254),
  customer_phone: optionalBlank(z.string().trim().max(30)),
  user_type: userType,
  mac_address: DeviceMac,
  ip_address: DeviceIp,
  device_info: optionalBlank(z.string().max(500)),
  auto_connect: laxBoolean(false),
};
const commonAliases = {
  product_id: 'producto_id',
  customer_name: 'nombre_cliente',
  customer_email: 'email_cliente',
  customer_phone: 'telefono_cliente',
  user_type: 'tipo_usuario',
  mac_address: 'mac_cliente',
  ip_address: 'ip_cliente',
  device_info: 'info_dispositivo',
  auto_connect: 'conexion_automatica',
} as const;

/** `POST /api/v1/payments/pagar-conekta` body. */
export const ConektaPurchaseRequest = withAliases({ ...common, card_token: cardToken }, { ...commonAliases, card_token: 'token_tarjeta' });

/** `POST /api/v1/payments/pagar-mercado-pago` body. */
export const MercadoPagoPurchaseRequest = withAliases(
  {
    ...common,
    token: cardToken,
    payment_method_id: z.string().trim().min(1).max(50),
    issuer_id: optionalBlank(z.union([z.string().trim().max(50), z.number().int()]).transform(String)),
    transaction_amount: laxNumber(z.number().positive().max(1_000_000)),
    installments: z.preprocess((v) => (v === null ? undefined : v), laxInteger(z.number().int().min(1).max(48)).default(1)),
    device_id: optionalBlank(z.string().trim().max(200)),
    payer: z.unknown().optional(),
  },
  { ...commonAliases, transaction_amount: 'monto', installments: 'cuotas' },
);

export const PurchaseIdParams = z.object({ id: z.uuid({ error: 'Identificador de compra inválido' }) });
export const PaymentIdParams = z.object({ payment_id: z.string().regex(/^\d{1,20}$/, { error: 'Identificador de pago inválido' }) });

/** Why a requested auto-connect did not log the device in (none when it did, or when it was not requested). */
export const AUTO_CONNECT_REASONS = [
  'sin_datos_dispositivo',
  'variables_sin_sustituir',
  'datos_dispositivo_invalidos',
  'dispositivo_no_encontrado',
  'inicio_sesion_rechazado',
  'tiempo_agotado',
  'error_router',
] as const;

const AutoConnection = z.object({
  estado: z.enum(['conectado', 'no_conectado']),
  mac: z.string(),
  ip: z.string(),
  mensaje: z.string(),
  motivo: z
    .enum(AUTO_CONNECT_REASONS)
    .nullable()
    .describe(
      'Por qué no se conectó: sin MAC ni IP, variables del hotspot sin sustituir (`$(mac)`), MAC/IP inválidas, el router no ve el dispositivo, el router rechazó el inicio, tiempo agotado, error del router',
    ),
  verificado: z.boolean(),
  session_id: z.null(),
});

const TimeStacked = z
  .boolean()
  .describe(
    'El dispositivo ya tenía este plan activo en este router: el tiempo se sumó a esa compra (nuevo `expira_en`), sin nuevos datos de acceso; el dispositivo sigue conectado',
  );

/** The success body portals read, plus the purchase id, its status URL and its expiry. */
export const PurchaseApproved = z.object({
  success: z.literal(true),
  id_compra: z.string(),
  id_transaccion: z.string(),
  estado_pago: z.string(),
  tipo_usuario: z.enum(USER_TYPES),
  usuario_hotspot: z
    .object({ usuario: z.string(), contrasena: z.string() })
    .describe('Vacíos cuando el tiempo se sumó a la conexión actual del dispositivo (`tiempo_sumado`)'),
  tiempo_sumado: TimeStacked,
  producto: z.object({ nombre: z.string(), precio: z.number(), moneda: z.string(), perfil_mikrotik: z.string() }),
  cliente: z.object({ nombre: z.string(), email: z.string() }),
  timestamp: z.string(),
  expira_en: z.string(),
  vigencia_segundos: z.number().int(),
  url_estado: z.string(),
  auto_conexion: AutoConnection,
  mercado_pago: z
    .object({
      payment_id: z.string(),
      status: z.string(),
      status_detail: z.string().nullable(),
      installments: z.number().nullable(),
      payment_method: z.record(z.string(), z.unknown()),
      raw_response: z.object({}).describe('Vacío: el pago completo nunca se expone al portal'),
    })
    .optional(),
});

/**
 * A 3-D Secure challenge to open while the payment waits: Conekta's page (open `url`: redirect or frame), or Mercado
 * Pago's issuer page, which takes only a form POST of `creq` to `url` (in a frame or a full page).
 */
export const ThreeDsChallenge = z
  .object({ url: z.string(), creq: z.string().nullable().describe('Mercado Pago: POST it as the form field `creq`; null for Conekta') })
  .nullable();

/** Accepted but not decided yet (pending payment, 3-D Secure, or still in progress): poll `url_estado`. */
export const PurchaseAccepted = z.object({
  success: z.literal(false),
  id_compra: z.string(),
  estado: z.string(),
  estado_pago: z.string().nullable(),
  mensaje: z.string(),
  advertencia: z.string().optional(),
  requiere_accion: z.boolean(),
  redirect_url: z.string().nullable(),
  desafio_3ds: ThreeDsChallenge,
  url_estado: z.string(),
});

export const PurchaseStatusResponse = z.object({
  id_compra: z.string(),
  estado: z.string(),
  estado_pago: z.string().nullable(),
  pasarela: z.enum(PURCHASE_GATEWAYS),
  mensaje: z.string().nullable(),
  siguiente_accion: z.enum(['esperar', 'redirigir', 'ninguna']),
  redirect_url: z.string().nullable(),
  desafio_3ds: ThreeDsChallenge,
  tipo_usuario: z.enum(USER_TYPES),
  usuario_hotspot: z.object({ usuario: z.string(), contrasena: z.string() }).nullable(),
  tiempo_sumado: TimeStacked,
  producto: z.object({ nombre: z.string(), precio: z.number(), moneda: z.string() }),
  creada_en: z.string(),
  activada_en: z.string().nullable(),
  expira_en: z.string().nullable(),
});

export const PaymentStatusResponse = z.object({
  success: z.literal(true),
  payment_id: z.string(),
  status: z.string().nullable(),
  status_detail: z.string().nullable(),
  amount: z.number(),
  currency_id: z.string(),
  date_approved: z.string().nullable(),
  date_last_updated: z.string(),
});
