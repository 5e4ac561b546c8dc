import { isIP } from 'node:net';

const CONSUL_DNS = /^([a-z0-9](?:[a-z0-9-_]*[a-z0-9])?)\.service(?:\.[a-z0-9-]+)?\.consul\.?$/i;
const SINGLE_LABEL = /^[a-z0-9](?:[a-z0-9-_]*[a-z0-9])?$/i;

/**
 * The default way the discovery interceptor recognises a logical service host: a single-label host
 * (`http://user-service/...`, never `localhost`) or a Consul DNS name (`user-service.service.consul`,
 * `user-service.service.dc2.consul`; the name before `.service` is the service). Anything else, IP
 * literals included, is not a service and passes through untouched.
 */
export function defaultServiceMatch(hostname: string): string | undefined {
  if (isIP(hostname) !== 0 || hostname.startsWith('[')) return undefined;
  const dns = CONSUL_DNS.exec(hostname);
  if (dns) return dns[1].toLowerCase();
  if (SINGLE_LABEL.test(hostname) && hostname.toLowerCase() !== 'localhost') {
    return hostname.toLowerCase();
  }
  return undefined;
}
