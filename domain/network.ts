/**
 * Strict patterns for every value that may reach a router. RouterOS API words are length-prefixed, so a value cannot
 * smuggle a second command; validating anyway keeps garbage out, and any value that might one day reach a script.
 */

const MAC = /^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** Hotspot user names: letters, digits and a few separators; never spaces, quotes, `=`, `?` or control characters. */
const HOTSPOT_USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}$/;
/** Hotspot passwords: printable ASCII without spaces, quotes, `$`, `;` or backslashes; empty for PIN users. */
const HOTSPOT_PASSWORD = /^[A-Za-z0-9!#%&()*+,./:<>@^_{|}~-]{0,64}$/;
/** Profile names come from admins: no control characters, no `=` or `?` (API word syntax), bounded length. */
// eslint-disable-next-line no-control-regex -- excluding control characters is the point
const PROFILE_NAME = /^[^\x00-\x1f\x7f=?"\\$;]{1,64}$/;

export function isMacAddress(value: string): boolean {
  return MAC.test(value);
}

/** `aa-bb-cc-dd-ee-ff` → `AA:BB:CC:DD:EE:FF` (the form RouterOS prints). Throws on anything that is not a MAC. */
export function normalizeMac(value: string): string {
  if (!isMacAddress(value)) throw new RangeError('invalid MAC address');
  return value.replace(/-/g, ':').toUpperCase();
}

/** MAC text as devices and hotspot pages write it: colons, dashes, Cisco dots (`aabb.ccdd.eeff`) or no separators. */
const LOOSE_MAC = /^(?:[0-9A-Fa-f]{2}([:-]?)[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})$/;

/** A MAC written any of those ways, in RouterOS' form (`AA:BB:CC:DD:EE:FF`); undefined when it is not one. */
export function readMacAddress(value: string): string | undefined {
  if (!LOOSE_MAC.test(value)) return undefined;
  const hex = value.replace(/[:.-]/g, '').toUpperCase();
  return hex.match(/../g)!.join(':');
}

export function isIPv4(value: string): boolean {
  return IPV4.test(value);
}

export function isHotspotUsername(value: string): boolean {
  return HOTSPOT_USERNAME.test(value);
}

export function isHotspotPassword(value: string): boolean {
  return HOTSPOT_PASSWORD.test(value);
}

export function isProfileName(value: string): boolean {
  return PROFILE_NAME.test(value);
}
