import { type ConfigChange, ConsulUnavailableError, silentLogger } from '../src';
import { useAgent } from './support/agent';
import { waitFor } from './support/endpoints-helpers';

describe('config store across an agent restart', () => {
  const fx = useAgent();

  it('survives a restart that wipes the KV (index goes backwards) and picks up the rewrite', async () => {
    const consul = fx.client({ logger: silentLogger });
    await consul.kv.put('cfg-restart/limits.json', '{"rps": 1}');
    const store = consul.config({
      prefix: 'cfg-restart/',
      keys: { 'limits.json': { default: { rps: 0 } } },
      debounce: 20,
      wait: '5s',
    });
    const changes: ConfigChange[] = [];
    const errors: Error[] = [];
    store.on('change', (c) => changes.push(...c));
    store.on('error', (e) => errors.push(e));
    await store.ready();
    expect(store.get('limits.json')).toEqual({ rps: 1 });

    // A -dev agent restarts empty: the watch errors while it is down, then reads index 1-ish.
    await fx.agent.restart();
    await waitFor(() => changes.some((c) => c.deleted), { timeout: 45_000 });
    expect(changes.find((c) => c.deleted)).toMatchObject({
      key: 'limits.json',
      value: { rps: 0 },
      previousSource: 'cfg-restart/limits.json',
    });
    expect(errors.every((e) => e instanceof ConsulUnavailableError)).toBe(true);

    await consul.kv.put('cfg-restart/limits.json', '{"rps": 2}');
    await waitFor(() => (store.get('limits.json') as { rps: number }).rps === 2, {
      timeout: 20_000,
    });
    expect(store.source('limits.json')).toBe('cfg-restart/limits.json');
    await store.close();
  }, 90_000);
});
