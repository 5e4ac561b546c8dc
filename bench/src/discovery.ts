/**
 * Discovery-backed calls: `consul.http(svc)` (round robin, outlier ejection and retries on) against
 * direct undici calls on three local node:http backends (in a child process, so the client's CPU is
 * measured alone) registered in a dev agent. Concurrency 16 and 64, interleaved sliced rounds.
 *
 * Contenders of the target ratio: "direct undici Pool, 1 backend" is the baseline; a second
 * Pool running the same code is the A/A control (its ratio is the noise floor of this machine);
 * "direct undici round-robin, 3 pools" spreads the load like the discovery client does, with
 * nothing else. The anti-pattern (a health lookup before every request) runs in its own rounds
 * afterwards, so its Consul traffic and garbage do not land in the slices of the target ratio.
 */
import { Consul, roundRobin } from '@consulkit/core';
import { startConsul } from '@consulkit/testing';
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
const CONTROL = 'direct undici Pool, 1 backend (A/A control)';
const THREE_POOLS = 'direct undici round-robin, 3 pools';
const OURS = 'consul.http(svc) round-robin';
const LOOKUP = 'health lookup per request (anti-pattern)';

async function main(): Promise<void> {
  const rounds = flag('rounds', 12);
  const roundMs = flag('round-ms', 1_000);
  const warmupMs = flag('warmup-ms', 1_000);
  const slices = flag('slices', 4);
  const lookupRounds = flag('lookup-rounds', 3);
  const perConcurrency = (rounds * 4 + lookupRounds * 2) * roundMs + 6 * warmupMs;
  watchdog(60_000 + perConcurrency * 2 * 2, 'discovery');
  const agent = await startConsul({ extraConfig: 'limits { http_max_conns_per_client = 1000 }' });
  const backends = await startBackends(3);
  const consul = new Consul({ address: agent.address });
  const pools = backends.ports.map((port) => new Pool(`http://127.0.0.1:${port}`));
  const byPort = new Map(backends.ports.map((port, i) => [port, pools[i] as Pool]));
  const control = new Pool(`http://127.0.0.1:${backends.ports[0]}`);
  const results: Comparison[] = [];
  const lookups: Comparison[] = [];
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
    const baseline = {
      name: ONE_POOL,
      op: async () => (await (pools[0] as Pool).request({ method: 'GET', path: '/' })).body.text(),
    };
    const contenders = [
      baseline,
      {
        name: CONTROL,
        op: async () => (await control.request({ method: 'GET', path: '/' })).body.text(),
      },
      {
        name: THREE_POOLS,
        op: async () => {
          const pool = pools[rr++ % pools.length] as Pool;
          return (await pool.request({ method: 'GET', path: '/' })).body.text();
        },
      },
      { name: OURS, op: async () => (await client.get('/')).body.text() },
    ];
    const lookup = {
      // Generous to the anti-pattern: it reuses warm pools instead of dialling each time.
      name: LOOKUP,
      op: async () => {
        const entries = await consul.health.service(SERVICE, { passing: true });
        const entry = entries[lookupRr++ % entries.length];
        const pool = byPort.get(entry?.service.port ?? -1);
        if (!pool) throw new Error('unknown instance');
        return (await pool.request({ method: 'GET', path: '/' })).body.text();
      },
    };
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
      const vs = ratiosAgainst(comparison, OURS, THREE_POOLS);
      console.log(
        `${OURS} vs ${THREE_POOLS}: ratio ${fmt(vs.medianRatio, 3)}× (${vs.ratios.map((r) => fmt(r)).join(' ')}), ` +
          `CPU ratio ${fmt(vs.medianCpuRatio, 3)}× (${vs.cpuRatios.map((r) => fmt(r)).join(' ')})`,
      );
      // Above ~90 % the backends, not the client, would bound the throughput.
      console.log(
        `backends process: ${fmt(backendShare * 100, 0)} % of one core over the comparison`,
      );
      results.push(comparison);
      if (lookupRounds > 0) {
        const lookupComparison = await compare([baseline, lookup], {
          concurrency,
          rounds: lookupRounds,
          roundMs,
          warmupMs,
          slices,
        });
        printComparison('discovery, anti-pattern (own rounds)', lookupComparison);
        lookups.push(lookupComparison);
      }
    }
    console.log(`ejected at the end: ${client.ejectedInstances().length} (expected 0)`);
  } finally {
    await consul.close();
    await Promise.all([...pools, control].map((p) => p.close()));
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
      })),
      antiPattern: lookups.map(summarize),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
