/**
 * KV GET throughput: `consul.kv.get` against a raw undici Pool GET of the same key (the baseline)
 * at concurrency 1, 16 and 64, interleaved rounds; a second raw Pool (the A/A control) shows the
 * noise floor of a ratio. The `consul` npm client (the peer) is compared to the baseline in its own
 * rounds afterwards, so its garbage and sockets do not land in the rounds of the target ratio.
 *
 * The baseline is undici's everyday call, `request()` + `body.json()`, on the same undici module
 * core loads (the root package pins undici 7 so npm installs one copy for core and the bench).
 * Core reads whole answers through a dispatch handler (`internal/read-whole.ts`) rather than
 * `request()`'s stream, which is why it can be faster than the baseline.
 */
import { Consul } from '@consulkit/core';
import { startConsul } from '@consulkit/testing';
import ConsulPeer from 'consul';
import { Pool } from 'undici';
import { compare, flag, printComparison, summarize, watchdog, type Comparison } from './measure';

async function main(): Promise<void> {
  const rounds = flag('rounds', 15);
  const roundMs = flag('round-ms', 800);
  const warmupMs = flag('warmup-ms', 1_000);
  const peerRounds = flag('peer-rounds', 3);
  const perConcurrency = (rounds * 3 + peerRounds * 2) * roundMs + 5 * warmupMs;
  watchdog(60_000 + perConcurrency * 3 * 2, 'kv-get');
  // Several clients with up to 64 connections each exceed the agent's default 200 per client IP.
  const agent = await startConsul({ extraConfig: 'limits { http_max_conns_per_client = 1000 }' });
  const url = new URL(agent.address);
  const key = 'bench/kv-get/value';
  const ours = new Consul({ address: agent.address });
  await ours.kv.put(key, 'x'.repeat(256));
  // Same pool size as core's default (`connections: 128`).
  const raw = new Pool(agent.address, { connections: 128 });
  const control = new Pool(agent.address, { connections: 128 });
  const peer = new ConsulPeer({ host: url.hostname, port: Number(url.port) });
  const rawGet = (pool: Pool) => async () => {
    const res = await pool.request({ method: 'GET', path: `/v1/kv/${key}` });
    const [entry] = (await res.body.json()) as Array<{ Value: string }>;
    return Buffer.from(entry?.Value ?? '', 'base64').toString('utf8');
  };
  const baseline = { name: 'raw undici Pool (baseline)', op: rawGet(raw) };
  const results: Comparison[] = [];
  const peers: Comparison[] = [];
  try {
    for (const concurrency of [1, 16, 64]) {
      const comparison = await compare(
        [
          baseline,
          { name: 'raw undici Pool (A/A control)', op: rawGet(control) },
          { name: '@consulkit/core kv.get', op: async () => (await ours.kv.get(key))?.value },
        ],
        { concurrency, rounds, roundMs, warmupMs },
      );
      printComparison('kv-get', comparison);
      results.push(comparison);
      if (peerRounds > 0) {
        const peerComparison = await compare(
          [baseline, { name: 'consul npm (peer)', op: () => peer.kv.get(key) }],
          { concurrency, rounds: peerRounds, roundMs, warmupMs },
        );
        printComparison('kv-get, peer (own rounds)', peerComparison);
        peers.push(peerComparison);
      }
    }
  } finally {
    await ours.close();
    await raw.close();
    await control.close();
    await agent.stop();
  }
  console.log(
    JSON.stringify({
      bench: 'kv-get',
      consul: agent.version,
      node: process.version,
      target: '@consulkit/core kv.get ≥ 0.95× raw undici at c=16 and 64',
      rounds,
      roundMs,
      results: results.map(summarize),
      peer: peers.map(summarize),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
