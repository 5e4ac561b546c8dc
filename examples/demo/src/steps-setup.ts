import path from 'node:path';
import { Consul, silentLogger } from '@consulkit/core';
import { ensureConsulBinary, startConsul, waitFor } from '@consulkit/testing';
import { ClusterView } from './cluster-view';
import { EDGES, LIMITS, ORIGINS, ready, type Step } from './context';
import { Fleet, type Role } from './fleet';

/** Where the examples' built entry points are (their package `main`). */
function entries(): Record<Role, string> {
  return {
    origin: require.resolve('@consulkit/example-fastify-service'),
    edge: require.resolve('@consulkit/example-nest-service'),
  };
}

/** What every service process gets: quick checks and a short drain, so the demo moves fast. */
const SERVICE_ENV = {
  CHECK_INTERVAL: '1s',
  DRAIN: '1s',
  PURGE_INTERVAL_MS: '500',
  LOG_LEVEL: 'info',
};

export const startAgent: Step = {
  title: 'Start a local Consul dev agent',
  narration:
    'No Consul to install: @consulkit/testing finds or fetches a consul binary and starts a dev ' +
    'agent on random free ports on 127.0.0.1.',
  critical: true,
  async run(ctx, progress) {
    // Finding (or downloading) the binary first shows where it came from, and may take a while.
    const binary = await ensureConsulBinary({ logger: progress });
    progress(`starting consul ${binary.version}`);
    const agent = await startConsul({ binary: binary.path, logger: progress });
    ctx.agent = agent;
    ctx.agentPid = agent.pid;
    ctx.consul = new Consul({ address: agent.address, env: {}, logger: silentLogger });
    ctx.view = new ClusterView(ctx.consul);
    return {
      ok: true,
      summary: `Consul ${agent.version} at ${agent.address} (pid ${agent.pid})`,
      figures: { version: agent.version, address: agent.address, pid: agent.pid },
      details: [`    binary: ${binary.path} (from ${binary.source})`],
    };
  },
};

export const seedConfig: Step = {
  title: 'Seed the CDN configuration in KV',
  narration:
    'The origins and edges read config/cdn/ from Consul KV at startup and watch it: ' +
    'origin_timeout is the deadline of edge-to-origin calls, limits a JSON document.',
  critical: true,
  async run(ctx) {
    const { consul } = ctx;
    if (!consul) throw new Error('no Consul client');
    const limits = JSON.stringify(LIMITS);
    const written = [
      await consul.kv.put('config/cdn/origin_timeout', '3s'),
      await consul.kv.put('config/cdn/limits', limits),
    ];
    return {
      ok: written.every(Boolean),
      summary: `config/cdn/origin_timeout = 3s, config/cdn/limits = ${limits}`,
      figures: { keys: written.filter(Boolean).length },
    };
  },
};

export const startFleet: Step = {
  title: 'Start 3 origins (Fastify) and 2 edges (NestJS)',
  narration:
    'Each is a separate process running the unchanged example apps (examples/fastify-service as ' +
    '"origin", examples/nest-service as "edge"), listening on port 0 of 127.0.0.1: each registers ' +
    'the port it really bound, once it listens, with an HTTP check Consul polls every second.',
  critical: true,
  async run(ctx, progress) {
    const { agent, view } = ctx;
    if (!agent || !view) throw new Error('no agent');
    const fleet = new Fleet({
      consulAddress: agent.address,
      logDir: ctx.logDir,
      entries: entries(),
      guard: path.join(__dirname, 'child-guard.js'),
      env: SERVICE_ENV,
    });
    ctx.fleet = fleet;
    for (const id of ORIGINS) fleet.start('origin', id);
    for (const id of EDGES) fleet.start('edge', id);
    const ids: readonly string[] = [...ORIGINS, ...EDGES];
    await fleet.unlessExited(
      ids,
      waitFor(
        async () => {
          const [origins, edges] = await Promise.all([
            view.instances('origin', true),
            view.instances('edge', true),
          ]);
          const passing = [...origins, ...edges].filter((i) => ids.includes(i.id));
          progress(`${passing.length}/${ids.length} registered and passing`);
          if (passing.length < ids.length) return false;
          for (const i of passing) ctx.ports.set(i.id, i.port);
          return true;
        },
        { timeout: 60_000, what: 'every origin and edge passing' },
      ),
    );
    const pids = ids.map((id) => `${id} ${fleet.get(id).pid}`).join(', ');
    return {
      ok: true,
      summary: `${ids.length}/${ids.length} registered and passing`,
      figures: { origins: ORIGINS.length, edges: EDGES.length },
      details: [`    pids: ${pids}`],
    };
  },
};

export const showCatalog: Step = {
  title: 'The catalog',
  narration:
    'What Consul now knows: every instance with the address and port it registered and the ' +
    'aggregated status of its checks. The two consulkit-session instances are the liveness checks ' +
    "of the edges' leader-election sessions (the purge job): if a leader crashes, its check turns " +
    'critical and the other edge takes over within the session TTL plus the lock-delay.',
  async run(ctx) {
    const { view } = ready(ctx);
    const services = await view.services();
    const rows: string[][] = [];
    const counts: Record<string, number> = {};
    for (const service of services) {
      const instances = await view.instances(service);
      counts[service] = instances.filter((i) => i.status === 'passing').length;
      for (const i of instances) rows.push([service, i.id, `${i.address}:${i.port}`, i.status]);
    }
    const ok = counts.origin === ORIGINS.length && counts.edge === EDGES.length;
    return {
      ok,
      summary: services.map((s) => `${s} ×${counts[s]} passing`).join(', '),
      figures: counts,
      details: ctx.display.table(['service', 'instance', 'address', 'status'], rows),
    };
  },
};
