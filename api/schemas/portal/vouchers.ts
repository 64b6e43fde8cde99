import { z } from 'zod';
import { withAliases } from '../aliases';
import { optionalBlank } from '../common';
import { DeviceIp, DeviceMac } from './device';
import { laxBoolean } from './lax';

/** `POST /api/v1/vouchers/canjear` body: the code as printed (dashes and spaces ignored), and the device to log in. */
export const RedeemVoucherRequest = withAliases(
  {
    codigo: z.string().trim().min(1).max(64),
    /** The password of a username + password voucher. */
    contrasena: optionalBlank(z.string().trim().min(1).max(64)),
    mac_cliente: DeviceMac,
    ip_cliente: DeviceIp,
    /** Log the device in once the access is ready; by default when its MAC is given. */
    conexion_automatica: laxBoolean(true),
  },
  { codigo: 'code', contrasena: 'password', mac_cliente: 'mac_address', ip_cliente: 'ip_address', conexion_automatica: 'auto_connect' },
);
