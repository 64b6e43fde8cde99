import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where routers may be (ROUTER_ALLOWED_NETWORKS). The worker sends a router's stored API password to whatever address
 * its row names, so an admin who could name any address could make the worker log in to a service on its own host or
 * network and hand it the password. Rows are checked when an admin saves them, and every address is checked again
 * when the worker connects, after resolving the name: a name may resolve elsewhere later (DNS rebinding).
 */

/** The entry of ROUTER_ALLOWED_NETWORKS that stands for the default policy (also the value when it is unset). */
export const DEFAULT_ENTRY = 'default';

type Family = 'ipv4' | 'ipv6';

/** Never routers under the default policy: loopback, link-local, multicast and unspecified addresses. */
const NOT_ROUTERS: ReadonlyArray<[string, number, Family]> = [
  ['0.0.0.0', 8, 'ipv4'], // "this network": 0.0.0.0 reaches the local host
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);
/** A last label that resolvers read as a number: `127.1`, `2130706433` and `0x7f.1` are loopback in disguise. */
const NUMERIC_LABEL = /(^|\.)(\d+|0x[0-9a-f]*)$/i;
/** Names that always mean this machine (RFC 6761), whatever DNS says. */
const LOCAL_NAME = /(^|\.)localhost$/i;

const familyOf = (address: string): Family => (isIP(address) === 6 ? 'ipv6' : 'ipv4');
const normalizeName = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** A DNS host name, and not an address in another spelling. */
export function isHostName(value: string): boolean {
  const name = value.replace(/\.$/, '');
  return HOST_NAME.test(name) && !NUMERIC_LABEL.test(name);
}

/** `10.0.0.0/8`, `fd00::/8` or a bare address: its network, or undefined when it is none of these. */
function parseNetwork(entry: string): { address: string; prefix: number; family: Family } | undefined {
  const [address, prefixText, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return undefined;
  const max = version === 4 ? 32 : 128;
  if (prefixText === undefined) return { address, prefix: max, family: familyOf(address) };
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  return prefix <= max ? { address, prefix, family: familyOf(address) } : undefined;
}

/**
 * Splits ROUTER_ALLOWED_NETWORKS (comma-separated networks, addresses, host names and `default`); an empty value is
 * the default policy. Returns the entries, or the ones that are none of these.
 */
export function parseAllowedNetworks(raw: string): { entries: string[] } | { invalid: string[] } {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const invalid = entries.filter((e) => e.toLowerCase() !== DEFAULT_ENTRY && !parseNetwork(e) && !isHostName(e));
  if (invalid.length > 0) return { invalid };
  return { entries: entries.length > 0 ? entries : [DEFAULT_ENTRY] };
}

/** Where to connect for a router host: an allowed address, or the addresses the host resolved to, all refused. */
export type EndpointResolution = { ok: true; address: string } | { ok: false; addresses: string[] };

export type Lookup = (host: string) => Promise<string[]>;

const systemLookup: Lookup = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/** The policy of ROUTER_ALLOWED_NETWORKS: listed networks and names, plus (with `default`) every ordinary address. */
export class RouterEndpointPolicy {
  private readonly networks = new BlockList();
  private readonly notRouters = new BlockList();
  private readonly names = new Set<string>();
  private readonly byDefault: boolean;

  /** `entries` as parseAllowedNetworks returns them. */
  constructor(
    entries: readonly string[],
    private readonly resolveName: Lookup = systemLookup,
  ) {
    this.byDefault = entries.some((e) => e.toLowerCase() === DEFAULT_ENTRY);
    for (const entry of entries) {
      if (entry.toLowerCase() === DEFAULT_ENTRY) continue;
      const network = parseNetwork(entry);
      if (network) this.networks.addSubnet(network.address, network.prefix, network.family);
      else if (isHostName(entry)) this.names.add(normalizeName(entry));
      else throw new RangeError(`not a network, an address or a host name: ${entry}`);
    }
    for (const [address, prefix, family] of NOT_ROUTERS) this.notRouters.addSubnet(address, prefix, family);
  }

  /** Whether a router may be at this IP address. IPv4-mapped IPv6 addresses count as their IPv4 address. */
  allowsAddress(address: string): boolean {
    const family = familyOf(address);
    if (this.networks.check(address, family)) return true;
    return this.byDefault && !this.notRouters.check(address, family);
  }

  /**
   * Whether a router row may name this host, without asking DNS: an address must be allowed, and so must the loopback
   * address a local name stands for. Other names are checked when the worker resolves them, before each connection.
   */
  allowsHost(host: string): boolean {
    if (isIP(host) !== 0) return this.allowsAddress(host);
    const name = normalizeName(host);
    if (this.names.has(name)) return true;
    return !LOCAL_NAME.test(name) || this.allowsAddress('127.0.0.1') || this.allowsAddress('::1');
  }

  /**
   * The address to connect to for a router host: the host itself when it is an allowed address; a listed name's
   * first address; otherwise the first address the name resolves to that is allowed. Lookup failures are thrown.
   */
  async resolve(host: string): Promise<EndpointResolution> {
    if (isIP(host) !== 0) return this.allowsAddress(host) ? { ok: true, address: host } : { ok: false, addresses: [host] };
    const addresses = await this.resolveName(host);
    const trusted = this.names.has(normalizeName(host));
    const address = addresses.find((a) => trusted || this.allowsAddress(a));
    return address === undefined ? { ok: false, addresses } : { ok: true, address };
  }
}
