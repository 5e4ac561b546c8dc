/**
 * Large watches: client CPU per change and live heap held, for
 *   - a 10,000-key prefix ConfigStore (`consul.config({ prefix })`), and
 *   - a 200-instance discovery cache (`consul.discovery.service(name)`),
 * each against a raw undici blocking loop that GETs the same body and `JSON.parse`s it (the floor:
 * any client must at least read and parse what Consul sends).
 *
 * Per round and subject: gc, start it and wait for its first load, warm up with `--warmup` changes,
 * then make `--changes` changes one at a time (a KV PUT, or an agent re-registration with new meta),
 * each in a fixed `--slot-ms` slot. CPU is read over those slots (the PUTs included, identical for
 * all): process CPU (`process.cpuUsage()`, every thread) and main-thread CPU (schedstat), the
 * latter also net of a "nothing watching" subject that makes the same changes (the floor: the
 * PUT, timers, noise). Heap is `heapUsed` after a full gc while the subject is alive, minus before
 * it started. Subjects run one at a time, in rotating order.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { writeHeapSnapshot } from 'node:v8';
import { Consul } from '@consulkit/core';
import { startConsul } from '@consulkit/testing';
import { Pool } from 'undici';
import {
  ensureExposeGc,
  flag,
  fmt,
  mainThreadCpuUs,
  median,
  stringFlag,
  watchdog,
} from './measure';

const gc = ensureExposeGc();

const PREFIX = 'bench/large/';
const KEYS = flag('keys', 10_000);
const SERVICE = 'bench-large';
const INSTANCES = flag('instances', 200);

/** A started subject: resolves `next()` on its next delivered change; `stop()` ends it. */
interface Running {
  next(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Turns "a change was delivered" callbacks into awaitable deliveries, without polling (a polling
 * wait would burn CPU inside the measured window, for as long as the subject takes to deliver).
 */
class Deliveries {
  private waiter: (() => void) | undefined;
  private pending = 0;

  delivered = (): void => {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter();
    else this.pending++;
  };

  next(timeoutMs = 10_000): Promise<void> {
    if (this.pending > 0) {
      this.pending--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error('timed out waiting for a change'));
      }, timeoutMs);
      this.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

interface Subject {
  name: string;
  group: 'config' | 'discovery';
  /** `idle`: the changes alone, nothing watching (the CPU floor of a slot: PUT, agent, V8). */
  role: 'idle' | 'raw' | 'ours';
  start(): Promise<Running>;
}

interface RoundResult {
  /** Process CPU (all threads) per change. */
  cpuUsPerChange: number;
  /** Main-thread CPU per change (no GC/JIT helper threads: steadier). */
  mainUsPerChange: number;
  heapMB: number;
  arrayBuffersMB: number;
}

function keyName(i: number): string {
  return `k${String(i).padStart(5, '0')}`;
}

/** Runs `task(i)` for i in [0, count) with at most `limit` in flight. */
async function parallel(
  count: number,
  limit: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

function memory(): { heap: number; arrayBuffers: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

async function main(): Promise<void> {
  const rounds = flag('rounds', 5);
  const changes = flag('changes', 8);
  const warmup = flag('warmup', 3);
  const slotMs = flag('slot-ms', 1_100);
  const settleMs = flag('settle-ms', 2_000);
  watchdog(
    240_000 + rounds * 4 * ((changes + warmup) * (slotMs + 1_000) + 2 * settleMs),
    'large-watch',
  );
  const agent = await startConsul({ extraConfig: 'limits { http_max_conns_per_client = 1000 }' });
  const writer = new Pool(agent.address, { connections: 64 });
  const send = async (method: 'PUT' | 'GET', path: string, body?: string) => {
    const res = await writer.request({ method, path, body });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
    return text;
  };
  const register = (i: number, version: string) =>
    send(
      'PUT',
      '/v1/agent/service/register',
      JSON.stringify({
        Name: SERVICE,
        ID: `${SERVICE}-${i}`,
        Address: '127.0.0.1',
        Port: 20_000 + i,
        Tags: ['bench', 'v1'],
        Meta: { version, zone: `zone-${i % 3}` },
      }),
    );

  let subjects: Subject[] = [];
  const results = new Map<string, RoundResult[]>();
  try {
    let t = performance.now();
    await parallel(KEYS, 64, (i) =>
      send(
        'PUT',
        `/v1/kv/${PREFIX}${keyName(i)}`,
        `value of ${keyName(i)}: ${'x'.repeat(40)}`,
      ).then(() => undefined),
    );
    console.log(`seeded ${KEYS} keys in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    await parallel(INSTANCES, 16, (i) => register(i, '0').then(() => undefined));
    const health = JSON.parse(
      await send('GET', `/v1/health/service/${SERVICE}?passing`),
    ) as unknown[];
    if (health.length !== INSTANCES) throw new Error(`${health.length} instances registered`);
    console.log(
      `registered ${INSTANCES} instances in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    /** A raw blocking loop over `path`: GET, read the body, JSON.parse, keep the last value. */
    const rawLoop = async (path: string): Promise<Running> => {
      // Each subject owns its client, destroyed when it stops: undici holds a finished request's
      // context until its timer wheel next ticks, which an idle client may not do for long.
      const reader = new Pool(agent.address, { connections: 1 });
      const controller = new AbortController();
      const deliveries = new Deliveries();
      let bodies = 0;
      let last: unknown;
      const loop = (async () => {
        let index = 0;
        for (let calls = 0; calls < 100_000 && !controller.signal.aborted; calls++) {
          const sep = path.includes('?') ? '&' : '?';
          const res = await reader.request({
            method: 'GET',
            path: index > 0 ? `${path}${sep}index=${index}&wait=60s` : path,
            signal: controller.signal,
          });
          last = JSON.parse(await res.body.text());
          const next = Number(res.headers['x-consul-index']);
          index = next > index ? next : 0;
          if (bodies++ > 0) deliveries.delivered();
        }
      })().catch(() => undefined);
      await waitUntil(() => bodies > 0 && last !== undefined, 'the raw first load');
      return {
        next: (timeoutMs) => deliveries.next(timeoutMs),
        stop: async () => {
          controller.abort();
          await loop;
          last = undefined;
          await reader.destroy();
        },
      };
    };

    const idle = async (): Promise<Running> => ({
      next: () => Promise.resolve(),
      stop: () => Promise.resolve(),
    });
    subjects = [
      { name: `nothing watching, ${KEYS} keys`, group: 'config', role: 'idle', start: idle },
      {
        name: `raw undici GET + JSON.parse, ${KEYS} keys`,
        group: 'config',
        role: 'raw',
        start: () => rawLoop(`/v1/kv/${PREFIX}?recurse`),
      },
      {
        name: `consul.config({ prefix }), ${KEYS} keys`,
        group: 'config',
        role: 'ours',
        start: async () => {
          const consul = new Consul({ address: agent.address });
          const store = consul.config({ prefix: PREFIX });
          const deliveries = new Deliveries();
          store.on('change', deliveries.delivered);
          await store.ready();
          if (store.keys().length !== KEYS)
            throw new Error(`store has ${store.keys().length} keys`);
          return {
            next: (ms) => deliveries.next(ms),
            stop: async () => {
              await store.close();
              await consul.close();
            },
          };
        },
      },
      {
        name: `nothing watching, ${INSTANCES} instances`,
        group: 'discovery',
        role: 'idle',
        start: idle,
      },
      {
        name: `raw undici GET + JSON.parse, ${INSTANCES} instances`,
        group: 'discovery',
        role: 'raw',
        start: () => rawLoop(`/v1/health/service/${SERVICE}?passing`),
      },
      {
        name: `consul.discovery.service, ${INSTANCES} instances`,
        group: 'discovery',
        role: 'ours',
        start: async () => {
          const consul = new Consul({ address: agent.address });
          const cache = consul.discovery.service(SERVICE);
          const deliveries = new Deliveries();
          cache.on('change', deliveries.delivered);
          await cache.ready();
          if (cache.instances().length !== INSTANCES) throw new Error('cache is incomplete');
          return {
            next: (ms) => deliveries.next(ms),
            stop: async () => {
              cache.close();
              await waitUntil(() => consul.discovery.size === 0, 'the discovery watch to stop');
              await consul.close();
            },
          };
        },
      },
    ];

    // `--only=<text>` keeps the subjects whose name contains it (for profiling one of them).
    const only = stringFlag('only');
    if (only !== undefined) subjects = subjects.filter((s) => s.name.includes(only));

    let counter = 0;
    const mutate = (subject: Subject) => {
      counter++;
      return subject.group === 'config'
        ? send('PUT', `/v1/kv/${PREFIX}${keyName(counter % KEYS)}`, `changed ${counter}`)
        : register(counter % INSTANCES, String(counter));
    };
    // Every change gets the same time slot, whoever delivers faster: process CPU includes V8's
    // background threads (JIT, concurrent GC), so unequal windows would bill idle time unequally.
    // The slot exceeds the watches' default pacing (one call per second after a burst of 2), so
    // our subjects are never throttled inside it.
    const change = async (subject: Subject, running: Running) => {
      const slotEnd = performance.now() + slotMs;
      const delivered = running.next();
      await mutate(subject);
      await delivered;
      await sleep(Math.max(0, slotEnd - performance.now()));
    };

    /**
     * One measure of one subject. Its own function on purpose: a suspended async frame keeps its
     * dead locals alive, so a subject started in the caller's loop would still be on the stack
     * (and in the heap) while the next one is measured.
     */
    const measureOnce = async (subject: Subject, round: number): Promise<RoundResult> => {
      // undici keeps a finished request's context (and so its body) until its timer wheel's next
      // tick, about a second later: settle before each heap reading, outside the CPU window.
      await sleep(settleMs);
      const m0 = memory();
      const snapshotAt = stringFlag('heap-snapshot-before');
      if (snapshotAt !== undefined && subject.name.includes(snapshotAt) && round === 0) {
        console.log(`heap snapshot: ${writeHeapSnapshot()}`);
      }
      const running = await subject.start();
      for (let w = 0; w < warmup; w++) await change(subject, running);
      const cpu = process.cpuUsage();
      const main = mainThreadCpuUs();
      for (let c = 0; c < changes; c++) await change(subject, running);
      const mainUsed = mainThreadCpuUs() - main;
      const used = process.cpuUsage(cpu);
      await sleep(settleMs);
      const m1 = memory();
      await running.stop();
      return {
        cpuUsPerChange: (used.user + used.system) / changes,
        mainUsPerChange: mainUsed / changes,
        heapMB: (m1.heap - m0.heap) / 1e6,
        arrayBuffersMB: (m1.arrayBuffers - m0.arrayBuffers) / 1e6,
      };
    };

    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < subjects.length; i++) {
        const subject = subjects[(i + r) % subjects.length] as Subject;
        const list = results.get(subject.name) ?? [];
        list.push(await measureOnce(subject, r));
        results.set(subject.name, list);
      }
    }
  } finally {
    await writer.close();
    await agent.stop();
  }

  console.log(
    `\nlarge-watch — ${rounds} rounds × ${changes} changes, one per ${slotMs} ms slot. CPU per change ` +
      `(the change itself included): process = all threads, main = main thread only; net = main ` +
      `minus "nothing watching" in the same round; ratios to the raw GET + JSON.parse of the same ` +
      `body, per round; live heap held after a full gc`,
  );
  console.log(
    'subject'.padEnd(44) +
      'process µs'.padEnd(12) +
      'main µs (median, min–max)'.padEnd(28) +
      'net µs'.padEnd(9) +
      'process ratio'.padEnd(15) +
      'net main ratio (median; per round)'.padEnd(42) +
      'heap MB'.padEnd(9) +
      'arrayBuffers MB',
  );
  const summary: Record<string, unknown> = {};
  for (const subject of subjects) {
    const rs = results.get(subject.name);
    if (!rs) continue;
    const peer = (role: Subject['role']) => {
      const found = subjects.find((x) => x.group === subject.group && x.role === role);
      return found ? results.get(found.name) : undefined;
    };
    const idleRounds = peer('idle');
    const rawRounds = peer('raw');
    const at = (list: RoundResult[] | undefined, i: number, field: 'cpu' | 'main') =>
      (field === 'cpu' ? list?.[i]?.cpuUsPerChange : list?.[i]?.mainUsPerChange) ?? Number.NaN;
    const cpus = rs.map((x) => x.cpuUsPerChange);
    const mains = rs.map((x) => x.mainUsPerChange);
    const net = rs.map((x, i) => x.mainUsPerChange - at(idleRounds, i, 'main'));
    const ratios = rs.map((x, i) => x.cpuUsPerChange / at(rawRounds, i, 'cpu'));
    const netRatios = rs.map(
      (_, i) => (net[i] as number) / (at(rawRounds, i, 'main') - at(idleRounds, i, 'main')),
    );
    const heap = median(rs.map((x) => x.heapMB));
    const ab = median(rs.map((x) => x.arrayBuffersMB));
    const ours = subject.role === 'ours';
    const idleRole = subject.role === 'idle';
    console.log(
      subject.name.padEnd(44) +
        fmt(median(cpus), 0).padEnd(12) +
        `${fmt(median(mains), 0)} (${fmt(Math.min(...mains), 0)}–${fmt(Math.max(...mains), 0)})`.padEnd(
          28,
        ) +
        (idleRole ? '' : fmt(median(net), 0)).padEnd(9) +
        (ours ? `${fmt(median(ratios), 2)}×` : '').padEnd(15) +
        (ours
          ? `${fmt(median(netRatios), 2)}×; ${netRatios.map((x) => fmt(x)).join(' ')}`
          : ''
        ).padEnd(42) +
        (idleRole ? '' : fmt(heap, 2)).padEnd(9) +
        (idleRole ? '' : fmt(ab, 2)),
    );
    summary[subject.name] = {
      processCpuUsPerChange: Math.round(median(cpus)),
      mainThreadUsPerChange: Math.round(median(mains)),
      netMainThreadUsPerChange: Math.round(median(net)),
      ...(ours
        ? {
            processCpuRatioToRaw: Number(fmt(median(ratios), 3)),
            netMainThreadRatioToRaw: Number(fmt(median(netRatios), 3)),
          }
        : {}),
      heapMB: Number(fmt(heap, 2)),
      arrayBuffersMB: Number(fmt(ab, 2)),
    };
  }
  console.log(
    JSON.stringify({
      bench: 'large-watch',
      consul: agent.version,
      node: process.version,
      keys: KEYS,
      instances: INSTANCES,
      target: '10k-key change ≤ 1.05× raw CPU, ≤ 4 MB heap; 200-instance change ≤ 1.05× raw',
      slotMs,
      results: summary,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
