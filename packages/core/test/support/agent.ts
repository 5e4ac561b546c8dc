import { startConsul, type ConsulAgent, type StartConsulOptions } from '@consulkit/testing';
import { Consul, type ConsulOptions } from '../../src';

/** A real agent for one test file, with clients that are all closed after the file. */
export interface AgentFixture {
  readonly agent: ConsulAgent;
  /** A client on the agent (token and CA filled in); closed automatically in afterAll. */
  client(options?: ConsulOptions): Consul;
}

/**
 * Starts a real Consul agent in `beforeAll` and stops it (and every client made through the
 * fixture) in `afterAll`. Use inside a `describe` or at file level.
 */
export function useAgent(options: StartConsulOptions = {}): AgentFixture {
  let agent: ConsulAgent | undefined;
  const clients: Consul[] = [];
  beforeAll(async () => {
    agent = await startConsul(options);
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await agent?.stop();
  }, 60_000);
  return {
    get agent() {
      if (!agent) throw new Error('agent not started yet (use it inside a test or hook)');
      return agent;
    },
    client(clientOptions: ConsulOptions = {}) {
      if (!agent) throw new Error('agent not started yet (use it inside a test or hook)');
      const client = new Consul({
        address: agent.address,
        token: agent.token,
        tls: agent.ca ? { ca: agent.ca } : undefined,
        ...clientOptions,
      });
      clients.push(client);
      return client;
    },
  };
}
