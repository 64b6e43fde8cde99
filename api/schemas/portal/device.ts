import { z } from 'zod';
import { isIPv4, readMacAddress } from '../../../domain/network';

/**
 * The customer's device as the hotspot page fills it in (`$(mac)`, `$(ip)`). Only used to log the device in, so a
 * value that cannot be used never refuses the request: it is dropped, and the answer says why auto-connect did not
 * happen. Nothing but a valid, normalised address goes further (it reaches the router).
 */

/** Why a device address cannot be used: not given, a hotspot variable the page did not fill in, or not an address. */
export type DeviceProblem = 'missing' | 'unsubstituted' | 'invalid';

/** A device address: the normalised value, or why there is none. */
export type DeviceAddress = { address: string; problem?: undefined } | { address?: undefined; problem: DeviceProblem };

/** A RouterOS hotspot variable left as is, which happens when the page is not served by the router's hotspot. */
const HOTSPOT_VARIABLE = /\$\([\w-]+\)/;

const deviceAddress = (read: (text: string) => string | undefined, description: string) =>
  z
    .preprocess((v) => (v === null ? undefined : v), z.string().optional())
    .transform((value): DeviceAddress => {
      const text = value?.trim() ?? '';
      if (text === '') return { problem: 'missing' };
      if (HOTSPOT_VARIABLE.test(text)) return { problem: 'unsubstituted' };
      const address = read(text);
      return address === undefined ? { problem: 'invalid' } : { address };
    })
    .meta({ type: 'string', nullable: true, description });

/** `AA:BB:CC:DD:EE:FF`, `aa-bb-…`, `aabbccddeeff` or `aabb.ccdd.eeff`, normalised to upper-case colons. */
export const DeviceMac = deviceAddress(
  readMacAddress,
  'MAC del dispositivo (`AA:BB:CC:DD:EE:FF`, con guiones, puntos o sin separadores). Vacía, sin sustituir (`$(mac)`) o inválida: no se usa, y la respuesta dice por qué no hubo conexión automática',
);

/** A dotted IPv4 address. */
export const DeviceIp = deviceAddress(
  (text) => (isIPv4(text) ? text : undefined),
  'IPv4 del dispositivo. Vacía, sin sustituir (`$(ip)`) o inválida: no se usa',
);

/** The first problem worth telling of two addresses (an unfilled variable says the most about the portal). */
export function deviceProblem(...addresses: DeviceAddress[]): DeviceProblem {
  const problems = addresses.map((a) => a.problem);
  return problems.includes('unsubstituted') ? 'unsubstituted' : problems.includes('invalid') ? 'invalid' : 'missing';
}
