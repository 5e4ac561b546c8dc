import { isIP } from 'node:net';

const LABEL = '[a-z0-9](?:[a-z0-9-_]*[a-z0-9])?';
/** `[<tag>.]<service>.service[.<dc>].consul[.]`, as Consul's DNS interface reads it. */
const CONSUL_DNS = new RegExp(
  `^(?:(${LABEL})\\.)?(${LABEL})\\.service(?:\\.([a-z0-9-]+))?\\.consul\\.?$`,
  'i',
);
const SINGLE_LABEL = new RegExp(`^${LABEL}$`, 'i');

/** What a logical host names: a service, and the datacenter and tag its Consul DNS name gives. */
export interface ServiceTarget {
  /** The service name. */
  service: string;
  /** The datacenter (`users.service.dc2.consul`); `undefined` for the discovery default. */
  dc?: string;
  /** Only instances with this tag (`primary.users.service.consul`). */
  tag?: string;
}

/**
 * Reads a host name the way the discovery interceptor does: a single-label host
 * (`http://user-service/...`, never `localhost`) is a service name; a Consul DNS name
 * `[<tag>.]<service>.service[.<dc>].consul` is that service, in that datacenter, with that tag.
 * Anything else, IP literals included, is not a service (`undefined`).
 */
export function parseServiceHost(hostname: string): ServiceTarget | undefined {
  if (isIP(hostname) !== 0 || hostname.startsWith('[')) return undefined;
  const dns = CONSUL_DNS.exec(hostname);
  if (dns) {
    const target: ServiceTarget = { service: dns[2].toLowerCase() };
    if (dns[3] !== undefined) target.dc = dns[3].toLowerCase();
    if (dns[1] !== undefined) target.tag = dns[1].toLowerCase();
    return target;
  }
  if (SINGLE_LABEL.test(hostname) && hostname.toLowerCase() !== 'localhost') {
    return { service: hostname.toLowerCase() };
  }
  return undefined;
}

/**
 * The service name the discovery interceptor reads from a host by default: a single-label host
 * (`http://user-service/...`, never `localhost`) or the service of a Consul DNS name
 * (`user-service.service.consul`, `v2.user-service.service.dc2.consul`). The interceptor also
 * honours the datacenter and tag of a DNS name (see {@link parseServiceHost}). Anything else, IP
 * literals included, is not a service and passes through untouched.
 */
export function defaultServiceMatch(hostname: string): string | undefined {
  return parseServiceHost(hostname)?.service;
}
