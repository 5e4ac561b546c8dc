/**
 * Discovery-backed calls: `consul.http(svc)` (round robin, outlier ejection and retries on) against
 * direct undici calls, and against the anti-pattern of a health lookup before every request, on
 * three local node:http backends (in a child process, so the client's CPU is measured alone)
 * registered in a dev agent. Concurrency 16 and 64, interleaved rounds.
 *
 * Baselines: "direct undici Pool, 1 backend" is the issue's baseline (one pool, one backend);
 * "direct undici round-robin, 3 pools" spreads the load like the discovery client does, with
 * nothing else: it is the like-for-like baseline, and both ratios are printed.
 *
 * Both use the bench's own copy of undici. npm installs two copies of the same undici 7 here
 * (`bench/node_modules` and `packages/core/node_modules`: the root holds another major for a dev
 * tool), so consulkit's calls run on a copy that also carries the Consul traffic (the agent
 * watch, the anti-pattern's lookups) while the baselines' copy only ever sees one request shape.
 * An application has one undici. "direct undici Pool, 1 backend, core's undici" is the baseline's
 * exact code on the copy consulkit uses; ours is also printed against it.
 */
import { createRequire } from 'node:module';
import { Consul, roundRobin } from '@consulkit/core';
import { startConsul } from '@consulkit/testing';
import type * as undici from 'undici';
import { Pool } from 'undici';
import { startBackends } from './backends';
import {
  compare,
  type Comparison,
  flag,
  fmt,
  printComparison,
  ratiosAgainst,
  summarize,
  watchdog,
} from './measure';

const SERVICE = 'bench-backend';
const ONE_POOL = 'direct undici Pool, 1 backend (baseline)';
const THREE_POOLS = 'direct undici round-robin, 3 pools';
const CORE_POOL = "direct undici Pool, 1 backend, core's undici";
const OURS = 'consul.http(svc) round-robin';
const LOOKUP = 'health lookup per request (anti-pattern)';

async function main(): Promise<void> {
  const rounds = flag('rounds', 5);
  const roundMs = flag('round-ms', 1_500);
  const warmupMs = flag('warmup-ms', 1_000);
  const slices = flag('slices', 4);
  watchdog(60_000 + (rounds * roundMs + warmupMs) * 5 * 2 * 2, 'discovery');
  const agent = await startConsul({ extraConfig: 'limits { http_max_conns_per_client = 1000 }' });
  const backends = await startBackends(3);
  const consul = new Consul({ address: agent.address });
  const pools = backends.ports.map((port) => new Pool(`http://127.0.0.1:${port}`));
  const byPort = new Map(backends.ports.map((port, i) => [port, pools[i] as Pool]));
  // The undici module @consulkit/core itself loads (see the header comment).
  const coreUndici = createRequire(require.resolve('@consulkit/core'))('undici') as typeof undici;
  const corePool = new coreUndici.Pool(`http://127.0.0.1:${backends.ports[0]}`);
  const results: Comparison[] = [];
  try {
    for (const [i, port] of backends.ports.entries()) {
      await consul.agent.service.register({
        name: SERVICE,
        id: `${SERVICE}-${i}`,
        address: '127.0.0.1',
        port,
      });
    }
    const client = consul.http(SERVICE, {
      balancer: roundRobin(),
      retries: 2,
      ejection: { consecutiveFailures: 3 },
    });
    await client.source.ready();
    for (let i = 0; i < 100 && client.source.instances().length < 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    if (client.source.instances().length !== 3)
      throw new Error('the 3 backends were not discovered');

    let rr = 0;
    let lookupRr = 0;
    const contenders = [
      {
        name: ONE_POOL,
        op: async () =>
          (await (pools[0] as Pool).request({ method: 'GET', path: '/' })).body.text(),
      },
      {
        name: THREE_POOLS,
        op: async () => {
          const pool = pools[rr++ % pools.length] as Pool;
          return (await pool.request({ method: 'GET', path: '/' })).body.text();
        },
      },
      {
        name: CORE_POOL,
        op: async () => (await corePool.request({ method: 'GET', path: '/' })).body.text(),
      },
      { name: OURS, op: async () => (await client.get('/')).body.text() },
      {
        // Generous to the anti-pattern: it reuses warm pools instead of dialling each time.
        name: LOOKUP,
        op: async () => {
          const entries = await consul.health.service(SERVICE, { passing: true });
          const entry = entries[lookupRr++ % entries.length];
          const pool = byPort.get(entry?.service.port ?? -1);
          if (!pool) throw new Error('unknown instance');
          return (await pool.request({ method: 'GET', path: '/' })).body.text();
        },
      },
    ];
    for (const concurrency of [16, 64]) {
      const backendCpu0 = backends.cpuUs();
      const t0 = performance.now();
      const comparison = await compare(contenders, {
        concurrency,
        rounds,
        roundMs,
        warmupMs,
        slices,
      });
      const backendShare = (backends.cpuUs() - backendCpu0) / ((performance.now() - t0) * 1000);
      printComparison('discovery', comparison);
      for (const baseline of [THREE_POOLS, CORE_POOL]) {
        const vs = ratiosAgainst(comparison, OURS, baseline);
        console.log(
          `${OURS} vs ${baseline}: ratio ${fmt(vs.medianRatio, 3)}× (${vs.ratios.map((r) => fmt(r)).join(' ')}), ` +
            `CPU ratio ${fmt(vs.medianCpuRatio, 3)}× (${vs.cpuRatios.map((r) => fmt(r)).join(' ')})`,
        );
      }
      // Above ~90 % the backends, not the client, would bound the throughput.
      console.log(
        `backends process: ${fmt(backendShare * 100, 0)} % of one core over the comparison`,
      );
      results.push(comparison);
    }
    console.log(`ejected at the end: ${client.ejectedInstances().length} (expected 0)`);
  } finally {
    await consul.close();
    await Promise.all([...pools, corePool].map((p) => p.close()));
    await backends.stop();
    await agent.stop();
  }
  console.log(
    JSON.stringify({
      bench: 'discovery',
      consul: agent.version,
      node: process.version,
      target: `${OURS} ≥ 0.97× ${ONE_POOL} at c=16 and 64`,
      results: results.map((r) => ({
        ...summarize(r),
        oursVsThreePools: Number(ratiosAgainst(r, OURS, THREE_POOLS).medianRatio.toFixed(3)),
        oursVsThreePoolsCpu: Number(ratiosAgainst(r, OURS, THREE_POOLS).medianCpuRatio.toFixed(3)),
        oursVsCoreUndiciPool: Number(ratiosAgainst(r, OURS, CORE_POOL).medianRatio.toFixed(3)),
        oursVsCoreUndiciPoolCpu: Number(
          ratiosAgainst(r, OURS, CORE_POOL).medianCpuRatio.toFixed(3),
        ),
      })),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
