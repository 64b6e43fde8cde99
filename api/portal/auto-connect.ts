import type { AutoConnectReport } from '../../domain/temporal';
import type { DeviceProblem } from '../schemas/portal/device';
import type { AUTO_CONNECT_REASONS } from '../schemas/portal/purchases';

/** Why a device was not logged in, as the portal answers say it (`auto_conexion.motivo`, reconnect's `error_detalle`). */
export type AutoConnectReason = (typeof AUTO_CONNECT_REASONS)[number];

const BY_DEVICE_PROBLEM: Record<DeviceProblem, AutoConnectReason> = {
  missing: 'sin_datos_dispositivo',
  unsubstituted: 'variables_sin_sustituir',
  invalid: 'datos_dispositivo_invalidos',
};

const BY_REPORT_REASON: Record<string, AutoConnectReason> = {
  no_host: 'dispositivo_no_encontrado',
  login_failed: 'inicio_sesion_rechazado',
  timeout: 'tiempo_agotado',
  router_error: 'error_router',
};

/**
 * Why a requested auto-connect did not happen, or null (it did, or was not asked for). A report without a device
 * address (`no_mac`) is explained by what the request carried instead: nothing, an unfilled hotspot variable, or
 * text that is no address.
 */
export function autoConnectReason(report: AutoConnectReport, deviceProblem: DeviceProblem = 'missing'): AutoConnectReason | null {
  if (!report.requested || report.connected) return null;
  if (report.reason === 'no_mac') return BY_DEVICE_PROBLEM[deviceProblem];
  return BY_REPORT_REASON[report.reason ?? ''] ?? 'error_router';
}
