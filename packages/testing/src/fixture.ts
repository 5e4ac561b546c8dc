import { type ConsulAgent, startConsul, type StartConsulOptions } from './agent';

/** A real agent for the test file that called {@link useConsulAgent}. */
export interface ConsulAgentFixture {
  /** The running agent (inside a test or a hook; throws before `beforeAll` ran). */
  readonly agent: ConsulAgent;
  /**
   * Runs `cleanup` in `afterAll` before the agent stops, e.g. closing a client made on it. Cleanups
   * run concurrently; their failures are ignored (the agent is stopped either way).
   */
  defer(cleanup: () => unknown): void;
}

/** Options of {@link useConsulAgent}: those of `startConsul`, plus the hooks' timeout. */
export interface UseConsulAgentOptions extends StartConsulOptions {
  /** Timeout of the `beforeAll`/`afterAll` hooks, in milliseconds. Default `60000`. */
  hookTimeout?: number;
}

type Hook = (fn: () => Promise<void>, timeout?: number) => void;

/**
 * Starts a real Consul agent in `beforeAll` and stops it in `afterAll` (after the cleanups given
 * to `defer`), for the current test file or `describe` block. Needs a runner with jest-style
 * `beforeAll`/`afterAll` globals (jest, or vitest with `globals: true`).
 *
 * @example
 * const fx = useConsulAgent();
 * it('reads KV', async () => {
 *   await fetch(`${fx.agent.address}/v1/kv/a`, { method: 'PUT', body: '1' });
 * });
 */
export function useConsulAgent(options: UseConsulAgentOptions = {}): ConsulAgentFixture {
  const { hookTimeout = 60_000, ...startOptions } = options;
  const hooks = globalThis as { beforeAll?: Hook; afterAll?: Hook };
  if (typeof hooks.beforeAll !== 'function' || typeof hooks.afterAll !== 'function') {
    throw new Error(
      'useConsulAgent() needs beforeAll/afterAll globals (call it in a jest test file)',
    );
  }
  let agent: ConsulAgent | undefined;
  const cleanups: Array<() => unknown> = [];
  hooks.beforeAll(async () => {
    agent = await startConsul(startOptions);
  }, hookTimeout);
  hooks.afterAll(async () => {
    const pending = cleanups.splice(0);
    await Promise.allSettled(pending.map(async (cleanup) => cleanup()));
    await agent?.stop();
  }, hookTimeout);
  return {
    get agent() {
      if (!agent) throw new Error('agent not started yet (use it inside a test or a hook)');
      return agent;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
  };
}
