import { ConsulConflictError, type Consul } from '../src';
import { useAgent } from './support/agent';

const CONTENDERS = 5;
const ROUNDS = 200;
const LOCK_KEY = 'stress/lock';
const COUNTER_KEY = 'stress/counter';

interface CounterState {
  count: number;
  /** Highest fencing token that wrote the counter. */
  token: number;
}

describe('consul.lock under contention', () => {
  const fx = useAgent();

  it(`${CONTENDERS} contenders × ${ROUNDS} rounds: no overlap, fenced writes, increasing tokens`, async () => {
    const setup = fx.client();
    await setup.kv.put(COUNTER_KEY, JSON.stringify({ count: 0, token: 0 }));
    // Separate clients (own connection pools), as separate processes would have.
    const clients: Consul[] = Array.from({ length: CONTENDERS }, () => fx.client());

    let inside = 0;
    let overlaps = 0;
    let staleTokens = 0;
    let rejectedWrites = 0;
    const tokens: number[] = [];
    const started = performance.now();

    await Promise.all(
      clients.map(async (consul) => {
        const lock = consul.lock(LOCK_KEY, { lockDelay: '0s', ttl: '10s' });
        for (let round = 0; round < ROUNDS; round++) {
          const held = await lock.acquire({ timeout: '60s' });
          inside++;
          if (inside > 1) overlaps++;
          try {
            tokens.push(held.fencingToken);
            const entry = await consul.kv.get(COUNTER_KEY, { consistent: true });
            const state = JSON.parse(entry?.value ?? '{}') as CounterState;
            // The resource's fencing rule: refuse a token not above the highest one seen.
            if (held.fencingToken <= state.token) {
              staleTokens++;
              continue;
            }
            const next: CounterState = { count: state.count + 1, token: held.fencingToken };
            try {
              // Guarded write: commits only if our session still holds the lock and nobody wrote
              // the counter since we read it.
              await consul.txn.run([
                held.check(),
                {
                  verb: 'cas',
                  key: COUNTER_KEY,
                  index: entry?.modifyIndex ?? 0,
                  value: JSON.stringify(next),
                },
              ]);
            } catch (err) {
              if (!(err instanceof ConsulConflictError)) throw err;
              rejectedWrites++;
            }
          } finally {
            inside--;
            await held.release();
          }
        }
      }),
    );

    const seconds = (performance.now() - started) / 1000;
    const final = JSON.parse((await setup.kv.get(COUNTER_KEY))?.value ?? '{}') as CounterState;
    const increasing = tokens.every((t, i) => i === 0 || t > (tokens[i - 1] as number));
    console.log(
      `lock stress: ${tokens.length} acquisitions by ${CONTENDERS} contenders in ${seconds.toFixed(1)} s, ` +
        `overlaps ${overlaps}, stale tokens ${staleTokens}, rejected writes ${rejectedWrites}, ` +
        `final count ${final.count}, tokens ${tokens[0]}..${tokens[tokens.length - 1]} strictly increasing: ${increasing}`,
    );
    expect(overlaps).toBe(0);
    expect(staleTokens).toBe(0);
    expect(rejectedWrites).toBe(0);
    expect(tokens).toHaveLength(CONTENDERS * ROUNDS);
    expect(increasing).toBe(true);
    expect(final.count).toBe(CONTENDERS * ROUNDS);
    expect(final.token).toBe(tokens[tokens.length - 1]);
    // Every session the locks created was destroyed with its release.
    expect(await setup.session.list()).toEqual([]);
  }, 300_000);
});
