import { randomBytes } from 'node:crypto';
import { hostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

/**
 * Who a registered instance is: its unique ID and the address consumers dial. Pure helpers, so the
 * adapters can compute the same values (e.g. to log them) before registering.
 */

/** Characters allowed in IDs we generate or accept: anything else breaks agent URLs (T-7). */
export const SERVICE_ID_PATTERN = /^[A-Za-z0-9._-]+$/;

/** Addresses that mean "every interface": not dialable, so never registered as such. */
const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]', '::0', '0:0:0:0:0:0:0:0']);

/** True when `address` is a wildcard bind address (`0.0.0.0`, `::`, empty). */
export function isWildcardAddress(address: string | undefined): boolean {
  return address === undefined || WILDCARDS.has(address.trim());
}

/** The network interfaces {@link detectAddress} chooses from (a parameter, for tests). */
export type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * The first non-internal IPv4 address of this host, in `os.networkInterfaces()` order; `undefined`
 * when there is none (a sandbox with loopback only).
 */
export function detectAddress(table: InterfaceTable = networkInterfaces()): string | undefined {
  for (const infos of Object.values(table)) {
    for (const info of infos ?? []) {
      // Node 18.0-18.3 reported `family` as a number.
      const family = info.family as string | number;
      if (!info.internal && (family === 'IPv4' || family === 4)) return info.address;
    }
  }
  return undefined;
}

/**
 * The address to register: `bound` when it is a concrete address (the server listens on that one
 * interface only), else the host's first non-internal IPv4, else `127.0.0.1` (loopback-only hosts).
 * An IPv6 address is returned without brackets, as Consul stores it.
 */
export function resolveServiceAddress(
  bound?: string,
  table: InterfaceTable = networkInterfaces(),
): string {
  if (!isWildcardAddress(bound)) return (bound as string).trim().replace(/^\[(.*)\]$/, '$1');
  return detectAddress(table) ?? '127.0.0.1';
}

/** Replaces every character not allowed in an ID by `-` and collapses repeats. */
export function sanitizeIdPart(text: string): string {
  return text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * A unique instance ID `name-host-port-<8 hex>`: readable in the Consul UI, unique per process even
 * when several instances share a host and port over time (restarts), and valid in agent URLs.
 */
export function generateServiceId(
  name: string,
  port: number,
  host: string = hostname(),
  random: () => string = () => randomBytes(4).toString('hex'),
): string {
  const parts = [sanitizeIdPart(name), sanitizeIdPart(host) || 'host', String(port), random()];
  return parts.filter(Boolean).join('-');
}
