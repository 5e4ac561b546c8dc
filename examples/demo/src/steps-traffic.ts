import { performance } from 'node:perf_hooks';
import { delay, waitFor } from '@consulkit/testing';
import { LIMITS, OBJECTS, ORIGINS, ready, type Ready, type Step, VICTIM } from './context';
import { seconds } from './display';
import {
  drive,
  type EdgeStatus,
  getObject,
  getStatus,
  type OriginStatus,
  type Outcome,
} from './traffic';

/** URLs of the passing edges, from the catalog. */
async function edgeUrls(ctx: Ready): Promise<string[]> {
  const edges = await ctx.view.instances('edge', true);
  if (edges.length === 0) throw new Error('no passing edge');
  return edges.map((e) => e.url);
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${Math.round((100 * part) / whole)}%`;
}

export const spreadTraffic: Step = {
  title: 'Requests spread over the origins',
  narration:
    'Requests for 60 objects go through both edges. Each edge picks the origin with consistentHash ' +
    'on the object path, over the passing instances it discovered: an object always lands on the ' +
    'same origin, from either edge, so only that origin caches it.',
  async run(raw, progress) {
    const ctx = ready(raw);
    const edges = await edgeUrls(ctx);
    const total = OBJECTS.length * 5;
    let done = 0;
    const outcomes = await drive({
      edges: () => edges,
      paths: OBJECTS,
      concurrency: 8,
      count: total,
      onOutcome: () => progress(`${++done}/${total} requests`),
    });
    const errors = outcomes.filter((o) => o.error);
    const perOrigin = new Map<string, { requests: number; objects: Set<string>; hits: number }>();
    const originsOf = new Map<string, Set<string>>();
    const perEdge = new Map<string, number>();
    for (const { path, answer } of outcomes) {
      if (!answer) continue;
      const o = perOrigin.get(answer.origin) ?? { requests: 0, objects: new Set(), hits: 0 };
      o.requests++;
      o.objects.add(path);
      if (answer.cache === 'HIT') o.hits++;
      perOrigin.set(answer.origin, o);
      originsOf.set(path, (originsOf.get(path) ?? new Set()).add(answer.origin));
      perEdge.set(answer.edge, (perEdge.get(answer.edge) ?? 0) + 1);
    }
    const pinned = [...originsOf.values()].filter((s) => s.size === 1).length;
    for (const [path, set] of originsOf) if (set.size === 1) ctx.owners.set(path, [...set][0]);
    const hits = [...perOrigin.values()].reduce((n, o) => n + o.hits, 0);
    const answered = outcomes.length - errors.length;
    const rows = ORIGINS.map((id) => {
      const o = perOrigin.get(id) ?? { requests: 0, objects: new Set<string>(), hits: 0 };
      return [
        id,
        String(o.requests),
        percent(o.requests, answered),
        String(o.objects.size),
        percent(o.hits, o.requests),
      ];
    });
    const ok =
      errors.length === 0 &&
      ORIGINS.every((id) => (perOrigin.get(id)?.requests ?? 0) > 0) &&
      pinned === OBJECTS.length &&
      perEdge.size === edges.length;
    return {
      ok,
      summary:
        `${outcomes.length} requests through ${perEdge.size} edges, ${errors.length} errors; ` +
        `${pinned}/${OBJECTS.length} objects always served by the same origin; ` +
        `origin cache hits ${percent(hits, answered)}`,
      figures: {
        requests: outcomes.length,
        errors: errors.length,
        perOrigin: Object.fromEntries(ORIGINS.map((id) => [id, perOrigin.get(id)?.requests ?? 0])),
        perEdge: Object.fromEntries(perEdge),
        pinnedObjects: pinned,
        objects: OBJECTS.length,
        cacheHits: hits,
      },
      details: [
        ...ctx.display.table(['origin', 'requests', 'share', 'objects', 'cache hits'], rows),
        ...errors.slice(0, 3).map((e) => `    error: ${e.path}: ${e.error}`),
      ],
    };
  },
};

export const liveConfig: Step = {
  title: 'A KV change picked up live',
  narration:
    'Two writes to Consul KV: origin_timeout 3s → 5s and limits.cacheTtlSeconds 60 → 300. Every ' +
    'process watches these keys (blocking queries) and swaps in the new values, without a restart.',
  async run(raw, progress) {
    const ctx = ready(raw);
    const origins = await ctx.view.instances('origin', true);
    const edges = await ctx.view.instances('edge', true);
    const targets = [...origins, ...edges];
    const pidsBefore = new Map<string, number>();
    for (const t of targets) {
      const status = await getStatus<{ pid: number }>(t.url);
      pidsBefore.set(t.id, status.pid);
    }
    const t0 = performance.now();
    await ctx.consul.kv.put('config/cdn/origin_timeout', '5s');
    await ctx.consul.kv.put(
      'config/cdn/limits',
      JSON.stringify({ ...LIMITS, cacheTtlSeconds: 300 }),
    );
    const seenAfter = new Map<string, number>();
    const restarted = new Set<string>();
    await waitFor(
      async () => {
        await Promise.all(
          targets
            .filter((t) => !seenAfter.has(t.id))
            .map(async (t) => {
              let live: boolean;
              let pid: number;
              if (t.service === 'edge') {
                const s = await getStatus<EdgeStatus>(t.url);
                live = s.originTimeoutMs === 5_000 && s.limits.cacheTtlSeconds === 300;
                pid = s.pid;
              } else {
                const s = await getStatus<OriginStatus>(t.url);
                live = s.config.origin_timeout === 5_000 && s.config.limits.cacheTtlSeconds === 300;
                pid = s.pid;
              }
              if (pid !== pidsBefore.get(t.id)) restarted.add(t.id);
              if (live) seenAfter.set(t.id, performance.now() - t0);
            }),
        );
        progress(`${seenAfter.size}/${targets.length} processes use the new values`);
        return seenAfter.size === targets.length;
      },
      { timeout: 15_000, interval: 20, what: 'new values live in every process' },
    );
    const slowest = Math.max(...seenAfter.values());
    const answer = await getObject(edges[0].url, OBJECTS[0]);
    const ok = restarted.size === 0 && answer.maxAge === 300;
    const rows = targets.map((t) => [t.id, `${Math.round(seenAfter.get(t.id) ?? 0)} ms`]);
    return {
      ok,
      summary:
        `new values live on ${seenAfter.size}/${targets.length} processes within ` +
        `${Math.round(slowest)} ms, ${restarted.size} restarts; responses now max-age=${answer.maxAge}`,
      figures: {
        processes: seenAfter.size,
        slowestMs: Math.round(slowest),
        restarts: restarted.size,
        maxAge: answer.maxAge,
      },
      details: ctx.display.table(['process', 'picked up after'], rows),
    };
  },
};

export const failover: Step = {
  title: 'An origin killed: traffic fails over',
  narration:
    `Traffic keeps flowing through the edges while ${VICTIM} is killed with SIGKILL (no goodbye). ` +
    'Its objects fail on the first try; the edge retries each on the next origin of the hash ring, ' +
    'ejects the dead one after 3 failures, and drops it once Consul marks its check critical.',
  async run(raw, progress) {
    const ctx = ready(raw);
    const edges = await ctx.view.instances('edge', true);
    const victimObjects = new Set(OBJECTS.filter((p) => ctx.owners.get(p) === VICTIM));
    if (victimObjects.size === 0) throw new Error(`${VICTIM} owns no object`);
    const retries = async () =>
      (await Promise.all(edges.map((e) => getStatus<EdgeStatus>(e.url)))).reduce(
        (n, s) => n + s.origins.retries,
        0,
      );
    const retriesBefore = await retries();
    let stop = false;
    let count = 0;
    let errors = 0;
    let phase = 'steady traffic';
    const load = drive({
      edges: () => edges.map((e) => e.url),
      paths: OBJECTS,
      concurrency: 4,
      shouldStop: () => stop,
      onOutcome: (o: Outcome) => {
        count++;
        if (o.error) errors++;
        progress(`${count} requests, ${errors} errors — ${phase}`);
      },
    });
    let killedAt = 0;
    let criticalAfter = 0;
    try {
      await delay(1_000);
      const member = ctx.fleet.get(VICTIM);
      killedAt = performance.now();
      ctx.fleet.signal(VICTIM, 'SIGKILL');
      phase = `${VICTIM} killed, waiting for Consul to see it`;
      await ctx.view.waitNotPassing('origin', VICTIM, 30_000);
      criticalAfter = performance.now() - killedAt;
      phase = `${VICTIM} out of the catalog's passing set`;
      await delay(1_000);
      await member.exited;
    } finally {
      stop = true;
    }
    const outcomes = await load;
    const afterKill = outcomes.filter((o) => o.at > killedAt);
    const failed = outcomes.filter((o) => o.error);
    const rerouted = afterKill.filter(
      (o) => victimObjects.has(o.path) && o.answer && o.answer.origin !== VICTIM,
    );
    const retried = (await retries()) - retriesBefore;
    const ok = failed.length === 0 && rerouted.length > 0;
    return {
      ok,
      summary:
        `${outcomes.length} requests, ${failed.length} errors; after the kill its ` +
        `${victimObjects.size} objects were answered by the next origin (${rerouted.length} ` +
        `requests, ${retried} retries at the edges); Consul marked it critical after ` +
        `${seconds(criticalAfter)}`,
      figures: {
        requests: outcomes.length,
        errors: failed.length,
        victimObjects: victimObjects.size,
        rerouted: rerouted.length,
        retries: retried,
        criticalAfterMs: Math.round(criticalAfter),
      },
      details: failed.slice(0, 3).map((e) => `    error: ${e.path}: ${e.error}`),
    };
  },
};

export const readmit: Step = {
  title: 'The origin restarted and re-admitted',
  narration:
    `${VICTIM} starts again with the same service ID on the same port. It registers once listening, ` +
    'passes its check, the edges discover it, and the hash ring hands it back exactly its objects.',
  async run(raw, progress) {
    const ctx = ready(raw);
    const port = ctx.ports.get(VICTIM) ?? 0;
    const t0 = performance.now();
    const restart = async (onPort: number) => {
      const member = ctx.fleet.start('origin', VICTIM, onPort);
      progress(`waiting for ${VICTIM} to pass its check`);
      return waitFor(
        async () => {
          if (member.exit) return 'exited';
          const passing = await ctx.view.instances('origin', true);
          return passing.some((i) => i.id === VICTIM) ? 'passing' : 'pending';
        },
        (state) => state !== 'pending',
        { timeout: 30_000, what: `${VICTIM} passing` },
      );
    };
    let samePort = port !== 0;
    let state = await restart(port);
    if (state === 'exited' && samePort) {
      // The old port was taken meanwhile: any free port does (the service ID is what matters).
      samePort = false;
      state = await restart(0);
    }
    if (state === 'exited') {
      throw new Error(`${VICTIM} exited:\n      ${ctx.fleet.tail(VICTIM).join('\n      ')}`);
    }
    const passingAfter = performance.now() - t0;
    const victimObjects = OBJECTS.filter((p) => ctx.owners.get(p) === VICTIM);
    const edges = await edgeUrls(ctx);
    let errors = 0;
    let back = 0;
    await waitFor(
      async () => {
        back = 0;
        const outcomes = await drive({
          edges: () => edges,
          paths: victimObjects,
          concurrency: 4,
          count: victimObjects.length * edges.length,
        });
        errors += outcomes.filter((o) => o.error).length;
        back = outcomes.filter((o) => o.answer?.origin === VICTIM).length;
        progress(`${back}/${outcomes.length} of its objects routed back to it`);
        return back === outcomes.length;
      },
      { timeout: 15_000, interval: 200, what: `${VICTIM}'s objects routed back to it` },
    );
    const routedAfter = performance.now() - t0;
    return {
      ok: errors === 0,
      summary:
        `${VICTIM} passing again after ${seconds(passingAfter)} (same ID, ` +
        `${samePort ? `same port ${port}` : 'a new port'}); ${victimObjects.length}/` +
        `${victimObjects.length} of its objects routed back to it by ${edges.length} edges after ` +
        `${seconds(routedAfter)}, ${errors} errors`,
      figures: {
        passingAfterMs: Math.round(passingAfter),
        routedBackAfterMs: Math.round(routedAfter),
        objectsBack: victimObjects.length,
        samePort,
        errors,
      },
    };
  },
};
