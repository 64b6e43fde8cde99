import { z } from 'zod';
import { DeviceIp, DeviceMac } from './device';

const text = (max: number) => z.string().max(max);

/**
 * The auto-reconnect body portals send; `password` is checked, the other extras are accepted and ignored. A device
 * address that cannot be used does not refuse the request: the answer says why the device was not logged in.
 */
export const AutoReconnectRequest = z.object({
  username: text(64).min(1),
  password: text(64).default(''),
  stored_mac: z.string().nullish(),
  current_mac: DeviceMac,
  current_ip: DeviceIp,
  current_ssid: z.string().nullish(),
});

export const AutoReconnectResponse = z.object({
  success: z.boolean(),
  estado: z.enum(['activo', 'expirado', 'credenciales_invalidas', 'router_inactivo']),
  auto_conexion: z.enum(['conectado', 'no_conectado']),
  datos_sesion: z
    .object({
      usuario: z.string(),
      perfil: z.string(),
      ip: z.string().nullable(),
      mac: z.string(),
      expira_en: z.string(),
    })
    .nullable(),
  nueva_mac: z.string(),
  tiempo_acumulado: z.null(),
  tiempo_restante: z.number().int().nullable().describe('Segundos de acceso que quedan'),
  primera_sesion: z.null(),
  mensaje: z.string(),
  error_detalle: z.string().nullable(),
  timestamp: z.string(),
});

export const ProfileInfoRequest = z.object({
  username: text(64).min(1),
  password: text(64).nullish(),
});

export const ProfileInfoResponse = z.object({
  success: z.boolean(),
  estado: z.enum(['ok', 'credenciales_invalidas', 'expirado', 'router_inactivo']),
  username: z.string(),
  tipo_usuario: z.enum(['pin', 'usuario_contrasena']).nullable(),
  profile: z.string().nullable(),
  mac_cookie_timeout: z.string().nullable(),
  mac_authentication: z.boolean(),
  disabled: z.boolean(),
  comment: z.string().nullable(),
  limit_uptime: z.string().nullable(),
  expira_en: z.string().nullable(),
  tiempo_restante: z.number().int().nullable(),
  datos_completos: z.record(z.string(), z.unknown()).nullable().describe('Datos del acceso; nunca incluye la contraseña'),
  mensaje: z.string(),
  error_detalle: z.string().nullable(),
  timestamp: z.string(),
});

export const RouterCheckResponse = z.object({
  success: z.boolean(),
  estado: z
    .enum(['activo', 'router_inactivo', 'sin_conexion'])
    .describe('`activo`: el router responde; `router_inactivo`: desactivado por el administrador (no se prueba); `sin_conexion`: no responde'),
  mensaje: z.string(),
  error_detalle: z.string().nullable(),
  conexion_ok: z.boolean(),
  timestamp: z.string(),
});
