/**
 * KV GET throughput: `consul.kv.get` against a raw undici Pool GET of the same key (the baseline)
 * and the `consul` npm client (the peer), at concurrency 1, 16 and 64, interleaved rounds.
 */
import { Consul } from '@consulkit/core';
import { startConsul } from '@consulkit/testing';
import ConsulPeer from 'consul';
import { Pool } from 'undici';
import { compare, flag, printComparison, summarize, watchdog, type Comparison } from './measure';

async function main(): Promise<void> {
  const rounds = flag('rounds', 5);
  const roundMs = flag('round-ms', 1_500);
  watchdog(60_000 + rounds * roundMs * 3 * 3 * 2, 'kv-get');
  // Three clients with up to 64 connections each exceed the agent's default 200 per client IP.
  const agent = await startConsul({ extraConfig: 'limits { http_max_conns_per_client = 1000 }' });
  const url = new URL(agent.address);
  const key = 'bench/kv-get/value';
  const ours = new Consul({ address: agent.address });
  await ours.kv.put(key, 'x'.repeat(256));
  const raw = new Pool(agent.address, { connections: 128 });
  const peer = new ConsulPeer({ host: url.hostname, port: Number(url.port) });
  const results: Comparison[] = [];
  try {
    for (const concurrency of [1, 16, 64]) {
      const comparison = await compare(
        [
          {
            name: 'raw undici Pool (baseline)',
            op: async () => {
              const res = await raw.request({ method: 'GET', path: `/v1/kv/${key}` });
              const [entry] = (await res.body.json()) as Array<{ Value: string }>;
              return Buffer.from(entry?.Value ?? '', 'base64').toString('utf8');
            },
          },
          { name: '@consulkit/core kv.get', op: async () => (await ours.kv.get(key))?.value },
          { name: 'consul npm (peer)', op: () => peer.kv.get(key) },
        ],
        { concurrency, rounds, roundMs },
      );
      printComparison('kv-get', comparison);
      results.push(comparison);
    }
  } finally {
    await ours.close();
    await raw.close();
    await agent.stop();
  }
  console.log(
    JSON.stringify({
      bench: 'kv-get',
      consul: agent.version,
      node: process.version,
      target: '@consulkit/core kv.get ≥ 0.95× raw undici at c=16 and 64',
      results: results.map(summarize),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
