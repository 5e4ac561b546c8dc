import { type Duration } from './duration';

/** Options every call accepts. */
export interface CallOptions {
  /** Aborts the call (and a blocking query in flight). */
  signal?: AbortSignal;
  /** ACL token for this call only, overriding the client's. */
  token?: string;
  /** Timeout for this call, overriding the client's `timeout`. */
  timeout?: Duration;
}

/** Options of calls that write. */
export interface WriteOptions extends CallOptions {
  /** Datacenter of this call (`dc=`). */
  dc?: string;
  /** Enterprise namespace (`ns=`). */
  ns?: string;
  /** Enterprise admin partition. */
  partition?: string;
}

/** Options of reads; `index` + `wait` make a blocking query. */
export interface QueryOptions extends WriteOptions {
  /** `X-Consul-Index` of a previous answer: wait until the result changes past it. */
  index?: number;
  /** Longest time a blocking query waits (sent with a unit). Default 60 s when `index` is set. */
  wait?: Duration;
  /** Let any server answer (`?stale`). */
  stale?: boolean;
  /** Leader confirms with a quorum first (`?consistent`). Conflicts with `stale` and `cached`. */
  consistent?: boolean;
  /** Serve from the agent cache where the endpoint supports it (`?cached`). */
  cached?: boolean;
  /** With `cached`: re-fetch when the cached value is older than this (`Cache-Control: max-age`). */
  maxAge?: Duration;
  /** With `cached` and `maxAge`: serve stale cache on server errors up to this age. */
  staleIfError?: Duration;
  /** Boolean expression filter (`filter=`), e.g. `Service.Meta.version == "2"`. */
  filter?: string;
  /** Sort by round-trip time from this node (`near=`); `_agent` for the local agent. */
  near?: string;
  /** Node metadata filters (`node-meta=key:value`). */
  nodeMeta?: Readonly<Record<string, string>>;
  /** Receives the answer's metadata (index, leader contact, cache state). Watches use it. */
  onMeta?: (meta: QueryMeta) => void;
}

/** Metadata of a read (from Consul's response headers). */
export interface QueryMeta {
  /** `X-Consul-Index`: feed it to `index` for the next blocking query. At least 1. */
  index: number;
  /** `X-Consul-KnownLeader`, when the endpoint reports it. */
  knownLeader: boolean | undefined;
  /** `X-Consul-LastContact` in ms (0 on the leader), when reported. */
  lastContact: number | undefined;
  /** `X-Cache` is `HIT`; undefined when the answer did not go through the agent cache. */
  cacheHit: boolean | undefined;
  /** `Age` in seconds of a cache hit. */
  cacheAge: number | undefined;
  /** `X-Consul-Effective-Consistency`, when reported. */
  effectiveConsistency: string | undefined;
  /** How long the call took, in ms. */
  requestTime: number;
}

/** A read's value with its metadata attached as a non-enumerable `meta` property. */
export type WithMeta<T> = T & { readonly meta: QueryMeta };

/** Attaches `meta` to an object or array result without making it enumerable (deep-equal safe). */
export function withMeta<T extends object>(value: T, meta: QueryMeta): WithMeta<T> {
  Object.defineProperty(value, 'meta', { value: meta, enumerable: false, configurable: true });
  return value as WithMeta<T>;
}
