import { DIAGNOSTIC_CHANNELS, type HttpRetryMessage } from '@consulkit/core';
import { toMillis } from '@consulkit/core/adapter';
import { useAgent } from '../support/agent';
import { record, uniqueName } from '../support/diagnostics';
import { type FastifyBackend, startFastifyBackend } from '../support/fastify-app';
import { describeFailures, runLoad } from '../support/load';
import { MODE, scale } from '../support/mode';
import { delay, waitFor } from '../support/wait';

jest.setTimeout(240_000);

const DRAIN = '1s';

/** One read of the catalog's passing instances: when it was sent, which IDs it listed. */
interface CatalogSample {
  sentAt: number;
  passing: Set<string>;
}

describe('chaos: rolling restart under load', () => {
  const fx = useAgent();
  const running = new Set<FastifyBackend>();
  afterAll(async () => {
    await Promise.allSettled([...running].map((b) => b.app.close()));
  });

  it('restarts 3 Fastify backends in turn without a failed GET or a dead instance listed', async () => {
    const service = uniqueName('rolling');
    const start = async (label: string) => {
      const backend = await startFastifyBackend(label, {
        consul: { address: fx.agent.address },
        service: { name: service, check: { interval: '1s', timeout: '1s' } },
        drain: DRAIN,
        deregisterTimeout: '3s',
      });
      running.add(backend);
      return backend;
    };
    const backends = await Promise.all(['b0', 'b1', 'b2'].map(start));
    const consul = fx.client();
    // No retries: a GET that reaches a closing or closed instance fails the test. Only the drain
    // (maintenance → consumers drop it → deregister → close) can keep the count at 0.
    const http = consul.http(service, { retries: 0, timeout: '10s', ejection: false });
    const passingIds = () => new Set(http.source.instances().map((i) => i.id));
    await waitFor(() => passingIds().size === 3, { timeout: 60_000, what: '3 passing instances' });

    // The catalog as a watcher would read it, sampled every 50 ms for the whole run.
    const samples: CatalogSample[] = [];
    let sampling = true;
    const sampler = (async () => {
      const monitor = fx.client();
      for (let i = 0; sampling && i < 20_000; i++) {
        const sentAt = performance.now();
        try {
          const entries = await monitor.health.service(service, { passing: true });
          samples.push({ sentAt, passing: new Set(entries.map((e) => e.service.id)) });
        } catch {
          // A failed sample proves nothing either way; the next one follows.
        }
        await delay(50);
      }
    })();

    const retries = record<HttpRetryMessage>(DIAGNOSTIC_CHANNELS.httpRetry);
    const dead: FastifyBackend[] = [];
    let restarted = false;
    const roll = async () => {
      for (let i = 0; i < backends.length; i++) {
        const old = backends[i] as FastifyBackend;
        await delay(300);
        // Graceful close: drain while still serving normally, then close.
        await old.app.consul.drain();
        await old.app.close();
        running.delete(old);
        dead.push(old);
        const fresh = await start(old.label);
        backends[i] = fresh;
        await waitFor(() => passingIds().has(fresh.id), {
          timeout: 60_000,
          what: `restarted ${old.label} passing in discovery`,
        });
      }
      restarted = true;
    };

    const total = scale(2_000, 6_000);
    const [result] = await Promise.all([
      runLoad({
        total,
        until: () => restarted,
        concurrency: 8,
        pauseMs: 4,
        maxMs: 180_000,
        send: async () => {
          const res = await http.get('/work');
          const text = await res.body.text();
          if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${text}`);
          return text;
        },
      }),
      roll(),
    ]);
    retries.stop();
    sampling = false;
    await sampler;

    // For each closed instance: how long after its server stopped accepting was it still listed
    // as passing (by a read sent after that instant)?
    const drainMs = toMillis(DRAIN, 'drain');
    const lags = dead.map((b) => {
      const deadAt = b.deadAt as number;
      const listed = samples.filter((s) => s.sentAt > deadAt && s.passing.has(b.id));
      return listed.length === 0
        ? 0
        : Math.round(Math.max(...listed.map((s) => s.sentAt)) - deadAt);
    });
    // And how long before that it had stopped being listed as passing (the drain at work).
    const leads = dead.map((b) => {
      const seen = samples.filter((s) => s.passing.has(b.id)).map((s) => s.sentAt);
      return seen.length === 0 ? -1 : Math.round((b.deadAt as number) - Math.max(...seen));
    });
    console.log(
      `[chaos] rolling-restart (${MODE}): sent=${result.sent} failed=${result.failed} ` +
        `retried=${retries.messages.length} restarts=${dead.length} drain=${drainMs}ms ` +
        `dead-listed-passing=${JSON.stringify(lags)}ms out-of-passing-before-close=${JSON.stringify(leads)}ms ` +
        `catalog-samples=${samples.length} ` +
        `answers=${JSON.stringify(Object.fromEntries(result.labels))} run=${result.ms}ms`,
    );
    expect(dead).toHaveLength(3);
    expect(dead.every((b) => b.deadAt !== undefined)).toBe(true);
    expect(result.sent).toBeGreaterThanOrEqual(total);
    expect(describeFailures(result.failures)).toBe('');
    expect(result.failed).toBe(0);
    expect(samples.length).toBeGreaterThan(10);
    for (const lag of lags) expect(lag).toBeLessThanOrEqual(drainMs);
    expect(passingIds().size).toBe(3);
    await http.close();
  });
});
