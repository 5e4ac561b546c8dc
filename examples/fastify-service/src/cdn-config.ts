import { type ConfigStoreOptions } from '@consulkit/core';

/** The JSON value of `config/cdn/limits`. */
export interface Limits {
  /** `Cache-Control: max-age` of the objects an origin serves. */
  cacheTtlSeconds: number;
  /** How many rendered objects an origin keeps in memory. */
  maxObjectsCached: number;
  /** Longest object path an edge accepts. */
  maxPathLength: number;
}

/** The CDN configuration under `config/cdn/`, as the origin's config store exposes it. */
export interface CdnConfig {
  /** `config/cdn/limits` (JSON). */
  limits: Limits;
  /** `config/cdn/origin_timeout` (a Go duration such as `3s`), in milliseconds. */
  origin_timeout: number;
}

/** Used while a key is absent from Consul. */
export const DEFAULT_LIMITS: Limits = {
  cacheTtlSeconds: 60,
  maxObjectsCached: 1000,
  maxPathLength: 256,
};

/**
 * The config store over `config/cdn/`: typed keys with defaults, and a validation that rejects a bad
 * `limits` document as a whole, so the service keeps serving with the last good one.
 */
export const cdnConfig: ConfigStoreOptions<CdnConfig> = {
  prefix: 'config/cdn/',
  keys: {
    limits: { parse: 'json', default: DEFAULT_LIMITS },
    origin_timeout: { parse: 'duration', default: 3_000 },
  },
  schema: (values) => {
    const limits = values.limits as Partial<Limits> | null;
    if (typeof limits !== 'object' || limits === null) throw new Error('limits must be an object');
    for (const field of ['cacheTtlSeconds', 'maxObjectsCached', 'maxPathLength'] as const) {
      const value = limits[field];
      if (!Number.isInteger(value) || (value as number) < 0) {
        throw new Error(`limits.${field} must be a non-negative integer`);
      }
    }
  },
};
