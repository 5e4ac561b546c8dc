import { readFileSync } from 'node:fs';
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

/** A {@link ConsulAgentFixture} that also makes clients on the agent, closed in `afterAll`. */
export interface ConsulClientFixture<C, O> extends ConsulAgentFixture {
  /** A client made by the factory given to {@link useConsulAgent}, closed after the file. */
  client(options?: O): C;
}

/** Makes a client on `agent` (e.g. `new Consul({ address: agent.address, ...options })`). */
export type AgentClientFactory<C extends { close(): unknown }, O> = (
  agent: ConsulAgent,
  options: O | undefined,
) => C;

/** Options of {@link useConsulAgent}: those of `startConsul`, plus the hooks' timeout. */
export interface UseConsulAgentOptions extends StartConsulOptions {
  /** Timeout of the `beforeAll`/`afterAll` hooks, in milliseconds. Default `60000`. */
  hookTimeout?: number;
}

type Hook = (fn: () => Promise<void>, timeout?: number) => void;

/** How a client reaches an agent: what `new Consul({...})` of `@consulkit/core` needs. */
export interface AgentConnection {
  /** `http://127.0.0.1:<port>`, or `https://...` with `tls`. */
  address: string;
  /** The ACL master token, for an agent started with `acl`. */
  token?: string;
  /**
   * The CA to trust (PEM), for an agent started with `tls`; with `tls: { verifyIncoming: true }`
   * also the client certificate and key (PEM) the agent requires.
   */
  tls?: { ca: string; cert?: string; key?: string };
}

/**
 * The client options that reach `agent` (address, and the token, CA and client certificate when it
 * has them), e.g.
 * `new Consul({ ...agentConnection(agent), logger })`.
 */
export function agentConnection(agent: ConsulAgent): AgentConnection {
  const connection: AgentConnection = { address: agent.address };
  if (agent.token !== undefined) connection.token = agent.token;
  if (agent.ca !== undefined) connection.tls = { ca: agent.ca };
  const client = agent.tls;
  if (connection.tls && client?.clientCert !== undefined && client.clientKey !== undefined) {
    connection.tls.cert = readFileSync(client.clientCert, 'utf8');
    connection.tls.key = readFileSync(client.clientKey, 'utf8');
  }
  return connection;
}

/**
 * The usual {@link AgentClientFactory}: `new Client({ ...agentConnection(agent), ...defaults,
 * ...options })`, for a client class whose options take `address`, `token` and `tls: { ca }`
 * (`Consul` of `@consulkit/core`). A project's `useAgent` is then one line that binds its client:
 *
 * @example
 * export const useAgent = (options: StartConsulOptions = {}) =>
 *   useConsulAgent(options, clientFactory(Consul, { logger: silentLogger }));
 *
 * const fx = useAgent();
 * it('writes KV', async () => { await fx.client({ timeout: '2s' }).kv.put('a', '1'); });
 */
export function clientFactory<C extends { close(): unknown }, O>(
  Client: new (options: O) => C,
  defaults: Partial<NonNullable<O>> = {},
): AgentClientFactory<C, NonNullable<O>> {
  // `O` (the constructor's options, `| undefined` when optional) accepts an AgentConnection's
  // fields: that is the documented contract the cast stands for.
  return (agent, options) =>
    new Client({ ...agentConnection(agent), ...defaults, ...options } as O);
}

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
export function useConsulAgent(options?: UseConsulAgentOptions): ConsulAgentFixture;
/**
 * {@link useConsulAgent} with a `client(options?)` method: each client is made by `makeClient` on
 * the running agent and closed in `afterAll`, before the agent stops.
 *
 * @example
 * const fx = useConsulAgent({}, (agent, options?: ConsulOptions) =>
 *   new Consul({ address: agent.address, token: agent.token, ...options }),
 * );
 * it('writes KV', async () => { await fx.client().kv.put('a', '1'); });
 */
export function useConsulAgent<C extends { close(): unknown }, O = undefined>(
  options: UseConsulAgentOptions,
  makeClient: AgentClientFactory<C, O>,
): ConsulClientFixture<C, O>;
export function useConsulAgent<C extends { close(): unknown }, O>(
  options: UseConsulAgentOptions = {},
  makeClient?: AgentClientFactory<C, O>,
): ConsulAgentFixture | ConsulClientFixture<C, O> {
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
  const fixture: ConsulAgentFixture = {
    get agent() {
      if (!agent) throw new Error('agent not started yet (use it inside a test or a hook)');
      return agent;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
  };
  if (!makeClient) return fixture;
  return Object.assign(fixture, {
    client(clientOptions?: O): C {
      const client = makeClient(fixture.agent, clientOptions);
      fixture.defer(() => client.close());
      return client;
    },
  });
}
