/**
 * Watch latency: a value PUT to one key (acknowledged by the agent) → our `change` handler, against
 * a raw undici blocking-query loop on the same key; and how many values each sees when writes come
 * 20 ms apart. Contenders run one at a time, in rotating order each round; the writer is the same
 * raw undici pool for all of them, so only the watching side differs.
 *
 * `consul.watchKey(key, { minInterval: 0 })`: the default token bucket (`minInterval: '1s'`,
 * `burst: 2`) deliberately spaces a churning watch's calls to one per second, which at 20 ms gaps
 * coalesces values (the watch still ends on the latest one). The default is measured too, for the
 * missed count only.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Consul, type Watch, type KvEntry } from '@consulkit/core';
import { startConsul } from '@consulkit/testing';
import { Pool } from 'undici';
import { flag, fmt, median, percentile, watchdog } from './measure';

const KEY = 'bench/watch/key';
const OURS = 'consul.watchKey (minInterval 0)';
const OURS_DEFAULT = 'consul.watchKey (default 1s bucket)';
const RAW = 'raw undici blocking loop (baseline)';

/** A running watcher: calls `onValue` with each new value it sees. */
interface Watcher {
  ready: Promise<void>;
  stop(): Promise<void>;
}
type StartWatcher = (onValue: (value: string) => void) => Watcher;

interface RoundStats {
  /** handler time − PUT acknowledged, ms (negative: the change was handled before the ack). */
  fromAck: number[];
  /** handler time − PUT sent, ms. */
  fromSend: number[];
  missed: number;
  cpuUsPerWrite: number;
}

async function main(): Promise<void> {
  const rounds = flag('rounds', 5);
  const writes = flag('writes', 50);
  const gapMs = flag('gap-ms', 20);
  watchdog(60_000 + rounds * 3 * writes * (gapMs + 30) * 3, 'watch');
  const agent = await startConsul();
  const consul = new Consul({ address: agent.address });
  const writer = new Pool(agent.address, { connections: 2 });
  const reader = new Pool(agent.address, { connections: 2 });
  const put = async (value: string) => {
    const res = await writer.request({ method: 'PUT', path: `/v1/kv/${KEY}`, body: value });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`PUT answered ${res.statusCode}`);
  };
  await put('initial');

  const kvWatcher =
    (options: { minInterval?: number }): StartWatcher =>
    (onValue) => {
      const watch: Watch<KvEntry | undefined> = consul.watchKey(KEY, options);
      watch.on('change', (entry) => onValue(entry?.value ?? ''));
      return { ready: watch.ready().then(() => undefined), stop: () => watch.stop() };
    };
  const rawWatcher: StartWatcher = (onValue) => {
    const controller = new AbortController();
    let resolveReady!: () => void;
    const ready = new Promise<void>((r) => (resolveReady = r));
    const loop = (async () => {
      let index = 0;
      let modifyIndex = -1;
      // Bounded: the watcher is stopped after its round; this guards a runaway loop.
      for (let calls = 0; calls < 100_000 && !controller.signal.aborted; calls++) {
        const res = await reader.request({
          method: 'GET',
          path: `/v1/kv/${KEY}${index > 0 ? `?index=${index}&wait=60s` : ''}`,
          signal: controller.signal,
        });
        const entries = (await res.body.json()) as Array<{ Value: string; ModifyIndex: number }>;
        const next = Number(res.headers['x-consul-index']);
        index = next > index ? next : 0;
        const entry = entries[0];
        resolveReady();
        if (entry && entry.ModifyIndex !== modifyIndex) {
          modifyIndex = entry.ModifyIndex;
          onValue(Buffer.from(entry.Value ?? '', 'base64').toString('utf8'));
        }
      }
    })().catch(() => undefined);
    return {
      ready,
      stop: async () => {
        controller.abort();
        await loop;
      },
    };
  };

  const contenders: Array<[string, StartWatcher]> = [
    [RAW, rawWatcher],
    [OURS, kvWatcher({ minInterval: 0 })],
    [OURS_DEFAULT, kvWatcher({})],
  ];

  const runRound = async (round: number, name: string, start: StartWatcher) => {
    const seen = new Map<string, number>();
    const watcher = start((value) => {
      if (!seen.has(value)) seen.set(value, performance.now());
    });
    await watcher.ready;
    const sent = new Map<string, number>();
    const acked = new Map<string, number>();
    const cpu = process.cpuUsage();
    for (let i = 0; i < writes; i++) {
      const value = `${name}/${round}/${i}`;
      sent.set(value, performance.now());
      await put(value);
      acked.set(value, performance.now());
      await sleep(gapMs);
    }
    const last = `${name}/${round}/${writes - 1}`;
    for (let waited = 0; !seen.has(last) && waited < 3_000; waited += 10) await sleep(10);
    const used = process.cpuUsage(cpu);
    await watcher.stop();
    const stats: RoundStats = { fromAck: [], fromSend: [], missed: 0, cpuUsPerWrite: 0 };
    for (const [value, at] of acked) {
      const handled = seen.get(value);
      if (handled === undefined) {
        stats.missed++;
        continue;
      }
      stats.fromAck.push(handled - at);
      stats.fromSend.push(handled - (sent.get(value) as number));
    }
    stats.cpuUsPerWrite = (used.user + used.system) / writes;
    return stats;
  };

  const results = new Map<string, RoundStats[]>(contenders.map(([name]) => [name, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < contenders.length; i++) {
        const [name, start] = contenders[(i + r) % contenders.length] as [string, StartWatcher];
        results.get(name)?.push(await runRound(r, name, start));
      }
    }
  } finally {
    await consul.close();
    await writer.close();
    await reader.close();
    await agent.stop();
  }

  console.log(
    `\nwatch — ${rounds} rounds × ${writes} PUTs, ${gapMs} ms apart; latency = change handler − PUT ack`,
  );
  console.log(
    'contender'.padEnd(38) +
      'p50 ms'.padEnd(8) +
      'p99 ms'.padEnd(8) +
      'max ms'.padEnd(8) +
      'before ack'.padEnd(12) +
      'from send p50/p99'.padEnd(19) +
      'missed'.padEnd(16) +
      'CPU µs/write'.padEnd(14) +
      'p50 per round',
  );
  const summary: Record<string, unknown> = {};
  for (const [name, stats] of results) {
    const all = stats.flatMap((s) => s.fromAck).sort((a, b) => a - b);
    const fromSend = stats.flatMap((s) => s.fromSend).sort((a, b) => a - b);
    const missed = stats.reduce((n, s) => n + s.missed, 0);
    const beforeAck = all.filter((x) => x < 0).length;
    const perRoundP50 = stats.map((s) =>
      percentile(
        [...s.fromAck].sort((a, b) => a - b),
        0.5,
      ),
    );
    const cpu = median(stats.map((s) => s.cpuUsPerWrite));
    const p50 = percentile(all, 0.5);
    const p99 = percentile(all, 0.99);
    console.log(
      name.padEnd(38) +
        fmt(p50, 3).padEnd(8) +
        fmt(p99, 3).padEnd(8) +
        fmt(all[all.length - 1] ?? Number.NaN, 2).padEnd(8) +
        `${beforeAck}/${all.length}`.padEnd(12) +
        `${fmt(percentile(fromSend, 0.5), 2)}/${fmt(percentile(fromSend, 0.99), 2)}`.padEnd(19) +
        `${missed}/${rounds * writes}`.padEnd(16) +
        fmt(cpu, 0).padEnd(14) +
        perRoundP50.map((x) => fmt(x, 3)).join(' '),
    );
    summary[name] = {
      p50Ms: Number(fmt(p50, 4)),
      p99Ms: Number(fmt(p99, 4)),
      fromSendP50Ms: Number(fmt(percentile(fromSend, 0.5), 4)),
      missed,
      writes: rounds * writes,
      beforeAck,
      cpuUsPerWrite: Math.round(cpu),
    };
  }
  console.log(
    JSON.stringify({
      bench: 'watch',
      consul: agent.version,
      node: process.version,
      gapMs,
      target: 'p50 ≤ 0.3 ms, p99 ≤ 2 ms from PUT ack; 0 missed at 20 ms gaps',
      results: summary,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
