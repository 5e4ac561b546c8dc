import { performance } from 'node:perf_hooks';
import { EDGES, OBJECTS, ready, type Ready, type Step } from './context';
import { seconds } from './display';
import { waitFor } from '@consulkit/testing';
import { type EdgeStatus, getObject, getStatus } from './traffic';

/** The purge queue of examples/nest-service: one key per object path. */
const PURGE_QUEUE = 'cdn/purge-queue/';

/** Purged objects per edge ID, from their `/status`. */
async function purgedCounts(ctx: Ready): Promise<Map<string, number>> {
  const edges = await ctx.view.instances('edge', true);
  const statuses = await Promise.all(edges.map((e) => getStatus<EdgeStatus>(e.url)));
  return new Map(statuses.map((s) => [s.id, s.purge.purged]));
}

/**
 * Warms `paths` in the origins' caches, queues their purge, waits until the leader drained the
 * queue, and checks the next request re-renders each (a MISS). Returns who purged them and when.
 */
async function purgeBatch(
  ctx: Ready,
  paths: readonly string[],
): Promise<{ purgedBy: Map<string, number>; drainedAt: number; misses: number }> {
  const edges = (await ctx.view.instances('edge', true)).map((e) => e.url);
  for (const p of paths) await getObject(edges[0], p);
  const before = await purgedCounts(ctx);
  for (const p of paths) await ctx.consul.kv.put(`${PURGE_QUEUE}${p.slice(1)}`, '');
  await waitFor(async () => (await ctx.consul.kv.keys(PURGE_QUEUE)).length === 0, {
    timeout: 20_000,
    interval: 50,
    what: 'purge queue drained',
  });
  const drainedAt = performance.now();
  const after = await purgedCounts(ctx);
  const purgedBy = new Map<string, number>();
  for (const [id, n] of after) {
    const delta = n - (before.get(id) ?? 0);
    if (delta > 0) purgedBy.set(id, delta);
  }
  let misses = 0;
  for (const p of paths) if ((await getObject(edges[0], p)).cache === 'MISS') misses++;
  return { purgedBy, drainedAt, misses };
}

function only(purgedBy: Map<string, number>): [string, number] | undefined {
  return purgedBy.size === 1 ? [...purgedBy.entries()][0] : undefined;
}

export const leaderHandover: Step = {
  title: 'The leader-only purge job moves to the other edge',
  narration:
    'Both edges tick a purge job marked @LeaderOnly: only the edge holding the Consul lock ' +
    'cdn/leader/purge drains the purge queue (KV keys). Stopping the leader gracefully releases the ' +
    'lock, and the other edge, waiting on it with a blocking query, takes over at once.',
  async run(raw, progress) {
    const ctx = ready(raw);
    progress('queueing 3 purges');
    const first = await purgeBatch(ctx, OBJECTS.slice(0, 3));
    const leading = only(first.purgedBy);
    if (!leading)
      throw new Error(`expected one edge to purge, got ${JSON.stringify([...first.purgedBy])}`);
    const [leader, firstCount] = leading;
    const follower = EDGES.find((id) => id !== leader);
    if (!follower) throw new Error(`unknown leader ${leader}`);
    progress(`stopping ${leader} (SIGTERM)`);
    const stopStarted = performance.now();
    const stopped = await ctx.fleet.stop(leader);
    const stoppedAt = performance.now();
    progress('queueing 3 more purges');
    const second = await purgeBatch(ctx, OBJECTS.slice(3, 6));
    const next = only(second.purgedBy);
    const handover = second.drainedAt - stoppedAt;
    progress(`restarting ${leader}`);
    ctx.fleet.start('edge', leader);
    await ctx.view.waitPassing('edge', [leader], 30_000);
    const ok =
      stopped.graceful &&
      firstCount === 3 &&
      first.misses === 3 &&
      next?.[0] === follower &&
      next[1] === 3 &&
      second.misses === 3;
    return {
      ok,
      summary:
        `${leader} led and purged ${firstCount}/3; stopped gracefully in ` +
        `${seconds(stoppedAt - stopStarted)} → ${next?.[0] ?? 'nobody'} took over and purged ` +
        `${next?.[1] ?? 0}/3 within ${seconds(handover)}; next requests re-rendered ` +
        `${first.misses + second.misses}/6 (MISS); ${leader} restarted as a follower`,
      figures: {
        firstLeader: leader,
        firstPurged: firstCount,
        stopMs: Math.round(stoppedAt - stopStarted),
        graceful: stopped.graceful,
        newLeader: next?.[0],
        secondPurged: next?.[1] ?? 0,
        handoverMs: Math.round(handover),
        misses: first.misses + second.misses,
      },
    };
  },
};

export const shutdown: Step = {
  title: 'Graceful shutdown leaves the catalog empty',
  narration:
    'SIGTERM to every process: each goes into maintenance (consumers stop picking it), drains, ' +
    'deregisters, gives up its leadership and closes. Nothing is left for Consul to reap.',
  async run(raw, progress) {
    const ctx = ready(raw);
    const running = ctx.fleet.running();
    progress(`stopping ${running.length} processes`);
    const t0 = performance.now();
    const results = await ctx.fleet.stopAll();
    const ms = performance.now() - t0;
    const graceful = results.filter((r) => r.graceful).length;
    const [origins, edges, services] = await Promise.all([
      ctx.view.instances('origin'),
      ctx.view.instances('edge'),
      ctx.view.services(),
    ]);
    const ok = graceful === results.length && origins.length === 0 && edges.length === 0;
    return {
      ok,
      summary:
        `${graceful}/${results.length} processes drained, deregistered and exited in ` +
        `${seconds(ms)}; catalog: ${origins.length} origin, ${edges.length} edge instances ` +
        `(services left: ${services.join(', ')})`,
      figures: {
        stopped: results.length,
        graceful,
        ms: Math.round(ms),
        originsLeft: origins.length,
        edgesLeft: edges.length,
        services,
      },
    };
  },
};
