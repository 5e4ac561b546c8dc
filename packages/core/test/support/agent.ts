import { type ConsulAgent, type StartConsulOptions, useConsulAgent } from '@consulkit/testing';
import { Consul, type ConsulOptions } from '../../src';

/** A real agent for one test file, with clients that are all closed after the file. */
export interface AgentFixture {
  readonly agent: ConsulAgent;
  /** A client on the agent (token and CA filled in); closed automatically in afterAll. */
  client(options?: ConsulOptions): Consul;
}

/**
 * Starts a real Consul agent in `beforeAll` and stops it (and every client made through the
 * fixture) in `afterAll` (`useConsulAgent` of `@consulkit/testing`). Use inside a `describe` or at
 * file level.
 */
export function useAgent(options: StartConsulOptions = {}): AgentFixture {
  const fx = useConsulAgent(options);
  return {
    get agent() {
      return fx.agent;
    },
    client(clientOptions: ConsulOptions = {}) {
      const agent = fx.agent;
      const client = new Consul({
        address: agent.address,
        token: agent.token,
        tls: agent.ca ? { ca: agent.ca } : undefined,
        ...clientOptions,
      });
      fx.defer(() => client.close());
      return client;
    },
  };
}
