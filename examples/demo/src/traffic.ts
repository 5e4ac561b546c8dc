import { performance } from 'node:perf_hooks';

/** What an edge answers for an object (the origin's answer stamped with the edge). */
export interface EdgeAnswer {
  path: string;
  origin: string;
  edge: string;
  cache: 'HIT' | 'MISS';
  maxAge: number;
  etag: string;
}

/** One request of the demo's traffic. */
export interface Outcome {
  path: string;
  /** When it completed (`performance.now()`). */
  at: number;
  answer?: EdgeAnswer;
  error?: string;
}

/** GETs an object through an edge; throws on anything but a 200. */
export async function getObject(edgeUrl: string, objectPath: string): Promise<EdgeAnswer> {
  const res = await fetch(`${edgeUrl}/cdn${objectPath}`, { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) {
    const text = await res.text();
    throw new Error(`HTTP ${res.status} from ${edgeUrl}: ${text.slice(0, 200)}`);
  }
  return (await res.json()) as EdgeAnswer;
}

/** `GET /status` of an edge (examples/nest-service). */
export interface EdgeStatus {
  id: string;
  pid: number;
  requests: number;
  originTimeoutMs: number;
  limits: { cacheTtlSeconds: number; maxObjectsCached: number; maxPathLength: number };
  origins: { retries: number; ejected: string[] };
  purge: { runs: number; purged: number; lastRunAt?: string };
}

/** `GET /status` of an origin (examples/fastify-service). */
export interface OriginStatus {
  id: string;
  pid: number;
  cache: { objects: number; hits: number; misses: number };
  config: {
    limits: { cacheTtlSeconds: number; maxObjectsCached: number; maxPathLength: number };
    origin_timeout: number;
  };
}

/** GETs a service's `/status` (the examples expose one). */
export async function getStatus<T>(url: string): Promise<T> {
  const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(5_000) });
  if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${url}/status`);
  return (await res.json()) as T;
}

/**
 * Sends requests for `paths` through the edges, alternating edges, with `concurrency` requests in
 * flight, until `shouldStop()` (checked before each request) or `count` requests were sent.
 */
export async function drive(options: {
  edges: () => readonly string[];
  paths: readonly string[];
  concurrency: number;
  count?: number;
  shouldStop?: () => boolean;
  onOutcome?: (outcome: Outcome) => void;
}): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    for (;;) {
      if (options.shouldStop?.()) return;
      const n = next++;
      if (options.count !== undefined && n >= options.count) return;
      const edges = options.edges();
      const path = options.paths[n % options.paths.length];
      const edge = edges[n % edges.length];
      let outcome: Outcome;
      try {
        const answer = await getObject(edge, path);
        outcome = { path, at: performance.now(), answer };
      } catch (err) {
        outcome = { path, at: performance.now(), error: (err as Error).message };
      }
      outcomes.push(outcome);
      options.onOutcome?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return outcomes;
}
