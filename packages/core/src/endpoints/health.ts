import { ConsulOptionError } from '../errors';
import { encodeSegment } from '../internal/path';
import { type HealthCheck, type HealthCheckWire, healthCheckFromWire } from '../models/check';
import {
  type ServiceEntry,
  type ServiceEntryWire,
  serviceEntryFromWire,
} from '../models/service-entry';
import { type QueryOptions, type WithMeta } from '../query';
import { type Transport } from '../transport';
import { mapList, readJson } from './request';

/** Options of `consul.health.service`. */
export interface HealthServiceOptions extends QueryOptions {
  /** Only instances whose every check (node checks and maintenance included) is passing. */
  passing?: boolean;
  /** Only instances with this tag; with a list, instances carrying **all** of them. */
  tag?: string | readonly string[];
}

/** Check states accepted by `consul.health.state`. */
export type HealthStateFilter = 'any' | 'passing' | 'warning' | 'critical';

const STATES: readonly string[] = ['any', 'passing', 'warning', 'critical'];

/** Normalises `tag` to the repeated `tag=` query values Consul expects. */
export function tagQuery(tag: unknown, option = 'tag'): readonly string[] | undefined {
  if (tag === undefined) return undefined;
  const list = typeof tag === 'string' ? [tag] : tag;
  if (!Array.isArray(list) || list.some((t) => typeof t !== 'string' || t === '')) {
    throw new ConsulOptionError(option, 'a non-empty tag or an array of them', tag);
  }
  return list as string[];
}

/** Health-aware discovery: `/v1/health`. Unknown services are an empty list, not an error. */
export class HealthApi {
  constructor(protected readonly transport: Transport) {}

  /**
   * Instances of a service with their node and checks: the discovery call. Blocking-capable
   * (`index`, `wait`), `cached`, `stale`, `filter`, `near`, `nodeMeta`, `dc`.
   */
  async service(
    name: string,
    options: HealthServiceOptions = {},
  ): Promise<WithMeta<ServiceEntry[]>> {
    return readJson(
      this.transport,
      {
        path: `/v1/health/service/${encodeSegment(name, 'name')}`,
        query: { passing: options.passing === true, tag: tagQuery(options.tag) },
        map: (w: ServiceEntryWire[] | null) => mapList(w, serviceEntryFromWire),
      },
      options,
    );
  }

  /** Checks of every instance of a service. */
  async checks(service: string, options: QueryOptions = {}): Promise<WithMeta<HealthCheck[]>> {
    return this.checkList(`/v1/health/checks/${encodeSegment(service, 'service')}`, options);
  }

  /** Checks of one node (its node checks and its services' checks). */
  async node(node: string, options: QueryOptions = {}): Promise<WithMeta<HealthCheck[]>> {
    return this.checkList(`/v1/health/node/${encodeSegment(node, 'node')}`, options);
  }

  /** Every check in a state across the datacenter (`any` for all). */
  async state(
    state: HealthStateFilter,
    options: QueryOptions = {},
  ): Promise<WithMeta<HealthCheck[]>> {
    if (!STATES.includes(state)) {
      throw new ConsulOptionError('state', 'any, passing, warning or critical', state);
    }
    return this.checkList(`/v1/health/state/${state}`, options);
  }

  private checkList(path: string, options: QueryOptions): Promise<WithMeta<HealthCheck[]>> {
    return readJson(
      this.transport,
      { path, map: (w: HealthCheckWire[] | null) => mapList(w, healthCheckFromWire) },
      options,
    );
  }
}
