import { tmpdir } from 'node:os';
import path from 'node:path';
import { OFFICIAL_RELEASE, useConsulAgent, waitFor } from '../src';
import { AGENT_START_TIMEOUT_MS } from '../src/agent';
import { CLUSTER_START_TIMEOUT_MS } from '../src/cluster';
import { registryDir } from '../src/process-registry';

/** The defaults the testing README states, one by one (no agent is started here). */
describe('harness defaults', () => {
  it('waitFor gives up after 15 s by default, probing every 50 ms, with the last value in the error', async () => {
    jest.useFakeTimers();
    try {
      let calls = 0;
      const outcome = waitFor(() => {
        calls += 1;
        return 0;
      }).catch((err: unknown) => err);
      await jest.advanceTimersByTimeAsync(15_000);
      const error = await outcome;
      expect(String(error)).toContain('condition not met within 15000 ms; last value 0');
      // A probe at 0 ms, then one every 50 ms up to and including 15 000 ms.
      expect(calls).toBe(15_000 / 50 + 1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('useConsulAgent gives its beforeAll/afterAll hooks 60 s by default, or hookTimeout', () => {
    const globals = globalThis as Record<string, unknown>;
    const saved = { beforeAll: globals.beforeAll, afterAll: globals.afterAll };
    const timeouts: Array<[string, number | undefined]> = [];
    globals.beforeAll = (_fn: unknown, timeout?: number) => timeouts.push(['beforeAll', timeout]);
    globals.afterAll = (_fn: unknown, timeout?: number) => timeouts.push(['afterAll', timeout]);
    try {
      useConsulAgent();
      useConsulAgent({ hookTimeout: 5_000 });
    } finally {
      Object.assign(globals, saved);
    }
    expect(timeouts).toEqual([
      ['beforeAll', 60_000],
      ['afterAll', 60_000],
      ['beforeAll', 5_000],
      ['afterAll', 5_000],
    ]);
  });

  it('waits 30 s for a dev agent and 60 s for a cluster to have a leader, by default', () => {
    expect(AGENT_START_TIMEOUT_MS).toBe(30_000);
    expect(CLUSTER_START_TIMEOUT_MS).toBe(60_000);
  });

  it('pins the official release Consul 1.22.3', () => {
    expect(OFFICIAL_RELEASE.version).toBe('1.22.3');
  });

  it('keeps agent records in <tmpdir>/consulkit-agents unless CONSULKIT_STATE_DIR says otherwise', () => {
    const saved = process.env.CONSULKIT_STATE_DIR;
    try {
      delete process.env.CONSULKIT_STATE_DIR;
      expect(registryDir()).toBe(path.join(tmpdir(), 'consulkit-agents'));
      process.env.CONSULKIT_STATE_DIR = '/somewhere/else';
      expect(registryDir()).toBe('/somewhere/else');
    } finally {
      if (saved === undefined) delete process.env.CONSULKIT_STATE_DIR;
      else process.env.CONSULKIT_STATE_DIR = saved;
    }
  });
});
