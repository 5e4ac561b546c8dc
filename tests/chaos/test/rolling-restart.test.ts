import diagnosticsChannel from 'node:diagnostics_channel';
import {
  DIAGNOSTIC_CHANNELS,
  type HttpRetryMessage,
  type RegistrationMessage,
} from '@consulkit/core';
import { toMillis } from '@consulkit/core/adapter';
import { useAgent } from '../support/agent';
import { sampleCatalog } from '../support/catalog-sampler';
import { record, uniqueName } from '../support/diagnostics';
import { type FastifyBackend, startFastifyBackend } from '../support/fastify-app';
import { describeFailures, runLoad } from '../support/load';
import { MODE, scale } from '../support/mode';
import { delay, waitFor } from '../support/wait';

jest.setTimeout(240_000);

const DRAIN = '1s';
/**
 * Catalog reads allowed to fail. The agent is never faulted in this scenario, so a failed read is a
 * finding, not noise: and each one would be a blind spot in "never listed after it closed".
 */
const MAX_FAILED_SAMPLES = 0;
/** Successful reads sent after each close, so that "never listed after it closed" is not vacuous. */
const MIN_SAMPLES_AFTER_CLOSE = 5;

/** One instance taken down by the roll, with the instants that order its way out. */
interface Stop {
  label: string;
  id: string;
  /** Just before `app.consul.drain()` was called. */
  drainAt: number;
  /**
   * Just before `app.close()` was called: from here Fastify answers 503 (`return503OnClosing`) and
   * then stops accepting connections, so this is the earliest instant it stopped serving.
   */
  closeAt: number;
}

describe('chaos: rolling restart under load', () => {
  const fx = useAgent();
  const running = new Set<FastifyBackend>();
  afterAll(async () => {
    await Promise.allSettled([...running].map((b) => b.app.close()));
  });

  it('restarts 3 Fastify backends in turn: no failed GET, no closed instance listed as passing', async () => {
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

    // When the library's drain returned from the agent's deregistration, per instance ID.
    const deregisteredAt = new Map<string, number>();
    const onDeregistered = (message: unknown) =>
      deregisteredAt.set((message as RegistrationMessage).id, performance.now());
    diagnosticsChannel.subscribe(DIAGNOSTIC_CHANNELS.registrationDeregistered, onDeregistered);

    // The catalog as a watcher would read it (passing instances), for the whole run.
    const monitor = fx.client();
    const sampler = sampleCatalog(
      async () =>
        (await monitor.health.service(service, { passing: true })).map((e) => e.service.id),
      { pauseMs: 50, maxSamples: 20_000 },
    );

    const retries = record<HttpRetryMessage>(DIAGNOSTIC_CHANNELS.httpRetry);
    const stops: Stop[] = [];
    let restarted = false;
    const roll = async () => {
      for (let i = 0; i < backends.length; i++) {
        const old = backends[i] as FastifyBackend;
        await delay(300);
        // Graceful close: drain while still serving normally, then close.
        const drainAt = performance.now();
        await old.app.consul.drain();
        const closeAt = performance.now();
        await old.app.close();
        running.delete(old);
        stops.push({ label: old.label, id: old.id, drainAt, closeAt });
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
    diagnosticsChannel.unsubscribe(DIAGNOSTIC_CHANNELS.registrationDeregistered, onDeregistered);
    // Keep reading until the last closed instance has enough reads after its close to judge by.
    const lastCloseAt = Math.max(...stops.map((s) => s.closeAt));
    await waitFor(() => sampler.after(lastCloseAt).length >= MIN_SAMPLES_AFTER_CLOSE, {
      timeout: 30_000,
      what: `${MIN_SAMPLES_AFTER_CLOSE} catalog reads after the last close`,
    });
    await sampler.stop();

    const drainMs = toMillis(DRAIN, 'drain');
    const verdicts = stops.map((stop) => {
      const { id, drainAt, closeAt } = stop;
      const listing = sampler.samples.filter((s) => s.ids.has(id));
      const deregistered = deregisteredAt.get(id) ?? Number.NaN;
      return {
        ...stop,
        deregisteredAt: deregistered,
        seenPassing: listing.length,
        // The claim: reads sent after the close (and after the deregistration) never list it.
        listedAfterClose: listing.filter((s) => s.sentAt > closeAt).length,
        listedAfterDeregistration: listing.filter((s) => s.sentAt > deregistered).length,
        readsAfterClose: sampler.after(closeAt).length,
        // The drain at work: reads answered while it was still registered (before the drain's
        // deregistration could start, drainMs after the drain began) that no longer list it.
        outWhileRegistered: sampler.samples.filter(
          (s) => s.sentAt > drainAt && s.answeredAt < drainAt + drainMs && !s.ids.has(id),
        ).length,
        // How long before the close it was last listed as passing (by the send time of that read).
        lastPassingBeforeCloseMs: Math.round(closeAt - Math.max(...listing.map((s) => s.sentAt))),
        drainToCloseMs: Math.round(closeAt - drainAt),
      };
    });
    const figures = verdicts.map((v) => ({
      label: v.label,
      listedAfterClose: v.listedAfterClose,
      readsAfterClose: v.readsAfterClose,
      outWhileRegistered: v.outWhileRegistered,
      lastPassingBeforeCloseMs: v.lastPassingBeforeCloseMs,
      drainToCloseMs: v.drainToCloseMs,
    }));
    console.log(
      `[chaos] rolling-restart (${MODE}): sent=${result.sent} failed=${result.failed} ` +
        `retried=${retries.messages.length} restarts=${stops.length} drain=${drainMs}ms ` +
        `catalog-reads=${sampler.samples.length} failed-reads=${sampler.failed.length} ` +
        `(allowed ${MAX_FAILED_SAMPLES}) stops=${JSON.stringify(figures)} ` +
        `answers=${JSON.stringify(Object.fromEntries(result.labels))} run=${result.ms}ms`,
    );
    expect(stops).toHaveLength(3);
    expect(result.sent).toBeGreaterThanOrEqual(total);
    expect(describeFailures(result.failures)).toBe('');
    expect(result.failed).toBe(0);
    expect(describeFailures(sampler.failed.map((f) => f.error))).toBe('');
    expect(sampler.failed.length).toBeLessThanOrEqual(MAX_FAILED_SAMPLES);
    for (const v of verdicts) {
      // Ordering: drain began → deregistered → close; the server kept serving for at least the drain.
      expect(v.deregisteredAt).toBeGreaterThan(v.drainAt);
      expect(v.deregisteredAt).toBeLessThan(v.closeAt);
      expect(v.closeAt - v.drainAt).toBeGreaterThanOrEqual(drainMs);
      // The sampler saw it passing before, and read often enough after its close to judge.
      expect(v.seenPassing).toBeGreaterThan(0);
      expect(v.readsAfterClose).toBeGreaterThanOrEqual(MIN_SAMPLES_AFTER_CLOSE);
      expect(v.outWhileRegistered).toBeGreaterThan(0);
      expect(v.listedAfterDeregistration).toBe(0);
      expect(v.listedAfterClose).toBe(0);
    }
    expect(passingIds().size).toBe(3);
    await http.close();
  });
});
