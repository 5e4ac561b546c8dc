import { aggregateStatus, type Consul, entryAddress, type HealthStatus } from '@consulkit/core';
import { waitFor } from '@consulkit/testing';

/** An instance of a service as the catalog lists it. */
export interface Instance {
  id: string;
  service: string;
  address: string;
  port: number;
  url: string;
  status: HealthStatus;
}

/** What the demo asks Consul (through `@consulkit/core`): the catalog is the source of truth. */
export class ClusterView {
  constructor(readonly consul: Consul) {}

  /** Every registered instance of `service` with its aggregated health. */
  async instances(service: string, passingOnly = false): Promise<Instance[]> {
    const entries = await this.consul.health.service(service, { passing: passingOnly });
    return entries
      .map((e) => {
        const address = entryAddress(e);
        return {
          id: e.service.id,
          service: e.service.service,
          address,
          port: e.service.port,
          url: `http://${address}:${e.service.port}`,
          status: aggregateStatus(e.checks),
        };
      })
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Names of the services in the catalog. */
  async services(): Promise<string[]> {
    return Object.keys(await this.consul.catalog.services()).sort();
  }

  /** Waits until every ID of `ids` is a passing instance of `service`; returns them by ID. */
  async waitPassing(
    service: string,
    ids: readonly string[],
    timeout: number,
  ): Promise<Map<string, Instance>> {
    return waitFor(
      async () => {
        const passing = new Map((await this.instances(service, true)).map((i) => [i.id, i]));
        return ids.every((id) => passing.has(id)) ? passing : undefined;
      },
      { timeout, what: `${ids.join(', ')} passing` },
    );
  }

  /** Waits until `id` is no longer a passing instance of `service`. */
  async waitNotPassing(service: string, id: string, timeout: number): Promise<void> {
    await waitFor(async () => !(await this.instances(service, true)).some((i) => i.id === id), {
      timeout,
      what: `${id} out of the passing instances`,
      interval: 50,
    });
  }
}
