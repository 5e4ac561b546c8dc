import { type ConsulVersion } from '../endpoints/agent';
import { type ServiceDefinition } from '../models/service-definition';

/**
 * Fields newer than Consul 1.8 that an older agent rejects with `400 unknown field` (REG-2): they
 * are sent only when `consul.agent.self()` reports a version that knows them.
 */

/** Check fields and the first Consul version that accepts them (`TLSServerName`: PR #9475). */
export const VERSIONED_CHECK_FIELDS = { tlsServerName: [1, 10, 0] } as const;

/** True when `version` is at least `minimum`; an unknown version counts as old (the safe side). */
export function versionAtLeast(
  version: ConsulVersion | undefined,
  minimum: readonly [number, number, number],
): boolean {
  if (!version) return false;
  const have = [version.major, version.minor, version.patch];
  for (let i = 0; i < 3; i++) {
    if (have[i] !== minimum[i]) return (have[i] as number) > (minimum[i] as number);
  }
  return true;
}

/** True when the definition uses a field whose support depends on the agent's version. */
export function needsVersion(service: ServiceDefinition): boolean {
  const checks = [...(service.check ? [service.check] : []), ...(service.checks ?? [])];
  return checks.some((c) => c.tlsServerName !== undefined);
}

/**
 * A copy of `service` without the fields `version` does not accept; `dropped` lists their dotted
 * paths so the caller can warn (sending them would fail the whole registration with a 400).
 */
export function gateForVersion(
  service: ServiceDefinition,
  version: ConsulVersion | undefined,
): { service: ServiceDefinition; dropped: string[] } {
  const dropped: string[] = [];
  const supported = versionAtLeast(version, VERSIONED_CHECK_FIELDS.tlsServerName);
  const strip = <C extends { tlsServerName?: string }>(check: C, path: string): C => {
    if (check.tlsServerName === undefined || supported) return check;
    dropped.push(`${path}.tlsServerName`);
    const copy = { ...check };
    delete copy.tlsServerName;
    return copy;
  };
  const gated: ServiceDefinition = { ...service };
  if (service.check) gated.check = strip(service.check, 'service.check');
  if (service.checks) gated.checks = service.checks.map((c, i) => strip(c, `service.checks[${i}]`));
  return { service: gated, dropped };
}
