import { type HealthStatus } from '../../src';
import { Heartbeat, type HeartbeatHost } from '../../src/registration/heartbeat';

/**
 * A TTL of a few months is beaten at a third of it: beyond a Node timer's limit (2^31 - 1 ms), the
 * wait used to end after 1 ms, so the heartbeat hammered the agent (and its health evaluation,
 * bounded by the same period, timed out at once).
 */
describe('Heartbeat period beyond a Node timer', () => {
  it('beats once, then waits (it used to beat every millisecond)', async () => {
    const sent: HealthStatus[] = [];
    const host: HeartbeatHost = {
      update: async (_id, status) => {
        sent.push(status);
      },
      lost: async () => undefined,
      failed: () => undefined,
      active: () => true,
    };
    const threeThousandHours = 3_000 * 3_600_000;
    const beat = new Heartbeat(['a'], threeThousandHours / 3, () => true, host);
    const stop = new AbortController();
    const running = beat.run(stop.signal);
    await new Promise((resolve) => setTimeout(resolve, 200));
    stop.abort();
    await running;
    expect(sent).toEqual(['passing']);
    expect(beat.periodMs * 1.1).toBeLessThanOrEqual(2 ** 31 - 1);
  });
});
