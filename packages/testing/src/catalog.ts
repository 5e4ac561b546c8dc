import {
  type CatalogSource,
  catalogService,
  type HealthSource,
  serviceHealth,
} from './catalog-source';

/** An instance of a service as the health endpoint lists it. */
export interface ServiceInstance {
  /** Service ID. */
  id: string;
  port: number;
}

/**
 * IDs of the instances of `name` that Consul reports as passing (`/v1/health/service/:name?passing`),
 * sorted. `source` is a client with `health.service` (e.g. `Consul` of `@consulkit/core`) or an agent.
 *
 * @example
 * await waitFor(() => passingIds(fx.agent, 'web'), (ids) => ids.length === 2);
 */
export async function passingIds(source: HealthSource, name: string): Promise<string[]> {
  const entries = await serviceHealth(source, name, true);
  return entries.map((e) => e.service.id).sort();
}

/**
 * ID and port of each instance of `name` that Consul reports as passing, in Consul's order.
 *
 * @example
 * expect(await passingInstances(consul, 'web')).toEqual([{ id: 'web-1', port: 8080 }]);
 */
export async function passingInstances(
  source: HealthSource,
  name: string,
): Promise<ServiceInstance[]> {
  const entries = await serviceHealth(source, name, true);
  return entries.map((e) => ({ id: e.service.id, port: e.service.port }));
}

/**
 * IDs of every instance of `name` in the catalog (`/v1/catalog/service/:name`), passing or not, in
 * Consul's order: `[]` once the service is deregistered.
 */
export async function catalogIds(source: CatalogSource, name: string): Promise<string[]> {
  return (await catalogService(source, name)).map((s) => s.serviceId);
}

/**
 * The status of check `checkId` (`passing`, `warning`, `critical`) as `/v1/health/service/:name`
 * reports it, or `undefined` when no instance of `name` has that check.
 *
 * @example
 * await waitFor(() => checkStatus(fx.agent, 'web', 'web-1:http'), (s) => s === 'critical');
 */
export async function checkStatus(
  source: HealthSource,
  name: string,
  checkId: string,
): Promise<string | undefined> {
  for (const entry of await serviceHealth(source, name, false)) {
    const check = entry.checks.find((c) => c.checkId === checkId);
    if (check) return check.status;
  }
  return undefined;
}
