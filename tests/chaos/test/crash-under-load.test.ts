import { DIAGNOSTIC_CHANNELS, type HttpRetryMessage } from '@consulkit/core';
import { type Child, killChildren, startNodeChild, supportScript } from '../support/children';
import { record, uniqueName } from '../support/diagnostics';
import { useAgent } from '../support/agent';
import { describeFailures, runLoad } from '../support/load';
import { MODE, scale } from '../support/mode';
import { since, waitFor } from '../support/wait';

jest.setTimeout(180_000);

describe('chaos: instance crash under load', () => {
  const fx = useAgent();
  afterAll(() => killChildren());

  it('loses no GET when one of 3 Fastify backends is SIGKILLed mid-run', async () => {
    const service = uniqueName('crash');
    const labels = ['b0', 'b1', 'b2'];
    const backends: Child[] = labels.map((label) =>
      startNodeChild(supportScript('backend-child.js'), [fx.agent.address, service, label]),
    );
    const registered = await Promise.all(
      backends.map((b) => b.next((e) => e.event === 'registered', 90_000, 'registration')),
    );
    const victim = backends[1] as Child;
    const victimPort = registered[1]?.port as number;

    const consul = fx.client();
    const http = consul.http(service, {
      retries: 2,
      timeout: '10s',
      ejection: { consecutiveFailures: 1, baseEjectionTime: '2s', maxEjectedPercent: 50 },
    });
    // Each backend's HTTP check must pass before the run (every instance takes traffic).
    await waitFor(() => http.source.instances().length === 3, {
      timeout: 60_000,
      what: '3 passing instances',
    });

    const retries = record<HttpRetryMessage>(DIAGNOSTIC_CHANNELS.httpRetry);
    const total = scale(2_000, 6_000);
    let killedAt = 0;
    let recoverMs = -1;
    const result = await runLoad({
      total,
      concurrency: 8,
      maxMs: 150_000,
      send: async () => {
        const res = await http.get('/work');
        const text = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${text}`);
        return text;
      },
      events: [
        {
          after: Math.floor(total / 4),
          run: async () => {
            victim.signal('SIGKILL');
            killedAt = performance.now();
            // Recovery: discovery stops listing the dead instance (its HTTP check went critical).
            await waitFor(() => !http.source.instances().some((i) => i.port === victimPort), {
              timeout: 60_000,
              interval: 20,
              what: 'the killed instance leaving discovery',
            });
            recoverMs = since(killedAt);
          },
        },
      ],
    });
    retries.stop();
    const exit = await victim.exited;

    console.log(
      `[chaos] crash-under-load (${MODE}): sent=${result.sent} failed=${result.failed} ` +
        `retried=${retries.messages.length} recover=${recoverMs}ms (SIGKILL → out of discovery) ` +
        `answers=${JSON.stringify(Object.fromEntries(result.labels))} run=${result.ms}ms`,
    );
    expect(exit.signal).toBe('SIGKILL');
    expect(result.sent).toBe(total);
    expect(describeFailures(result.failures)).toBe('');
    expect(result.failed).toBe(0);
    expect(recoverMs).toBeGreaterThanOrEqual(0);
    // Every backend answered before the crash; the survivors took the rest.
    for (const label of labels) expect(result.labels.get(label) ?? 0).toBeGreaterThan(0);
    expect(http.source.instances().map((i) => i.port)).not.toContain(victimPort);
    await http.close();
  });
});
