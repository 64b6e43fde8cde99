import type { Gateway } from './purchase';
import type { AutoConnectReport } from './temporal';

/** Customer-facing messages (Spanish), shared by the purchase and reconnect answers. Wording follows the original. */
export const MESSAGES = {
  autoConnectNotRequested: 'Favor de ingresar sus credenciales para conectar a Internet',
  autoConnected: '¡Conexión establecida con éxito! Disfrute de Internet sin límites',
  autoConnectFailed: 'No se pudo conectar automáticamente. Use las credenciales para conectar a Internet',
  autoConnectSlow: 'El servicio está tardando en responder. Use las credenciales para conectarse a internet',
  invalidCredentials: 'Credenciales incorrectas o no autorizado',
  accessExpired: 'Su acceso ha expirado. Adquiera un nuevo plan para continuar navegando.',
  accessActive: 'Acceso activo',
  routerUnreachable: 'No fue posible comunicarse con el punto de acceso. No se realizó ningún cargo. Intente de nuevo en unos minutos.',
  routerReachable: 'Conexión con el router establecida',
  routerOffline: 'No fue posible comunicarse con el router',
  routerInactive: 'Router inactivo',
  paymentPending: 'Pago pendiente de confirmación',
  paymentRequiresAction: 'Complete la verificación de su banco para terminar el pago.',
  provisioningRefunded:
    'No fue posible activar su acceso después del pago. El cargo fue reembolsado a su tarjeta.',
  paymentCancelled: 'El pago no se confirmó a tiempo y fue cancelado. No se realizó ningún cargo.',
  paymentGatewayUnavailable: 'El procesador de pagos no está disponible. No se realizó ningún cargo. Intente de nuevo.',
  chargeNotRecorded: 'No fue posible registrar su pago, por lo que fue cancelado o reembolsado a su tarjeta. Intente de nuevo.',
  purchaseInProgress: 'Su compra se está procesando. Consulte el estado en unos segundos.',
  serviceUnavailable: 'El servicio no está disponible en este momento. No se realizó ningún cargo. Intente de nuevo en unos minutos.',
  timeStacked: 'Se agregó el tiempo a su conexión actual. Siga navegando: no necesita nuevos datos de acceso.',
  stackedAccessEnded: 'El acceso al que se sumó este tiempo terminó antes de tiempo; el pago fue reembolsado.',
  internal: 'Error interno',
} as const;

/** The original's `auto_conexion.mensaje` for a report. */
export function autoConnectMessage(report: AutoConnectReport | undefined): string {
  if (!report || !report.requested) return MESSAGES.autoConnectNotRequested;
  if (report.connected) return MESSAGES.autoConnected;
  return report.reason === 'timeout' ? MESSAGES.autoConnectSlow : MESSAGES.autoConnectFailed;
}

/** A gateway as customers and admins know it. */
export function gatewayName(gateway: Gateway): string {
  return gateway === 'conekta' ? 'Conekta' : 'Mercado Pago';
}

/** A company that cannot charge through a gateway (no credentials): the API's answer and the charge's failure alike. */
export function notConfiguredMessage(gateway: Gateway): string {
  return `La empresa no tiene configurado ${gatewayName(gateway)}`;
}
