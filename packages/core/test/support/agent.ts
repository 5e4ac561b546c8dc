import {
  agentConnection,
  type ConsulClientFixture,
  type StartConsulOptions,
  useConsulAgent,
} from '@consulkit/testing';
import { Consul, type ConsulOptions } from '../../src';

/** A real agent for one test file, with clients (token and CA filled in) closed after the file. */
export type AgentFixture = ConsulClientFixture<Consul, ConsulOptions>;

/**
 * Starts a real Consul agent in `beforeAll` and stops it (and every client made through the
 * fixture) in `afterAll` (`useConsulAgent` of `@consulkit/testing`). Use inside a `describe` or at
 * file level.
 */
export function useAgent(options: StartConsulOptions = {}): AgentFixture {
  return useConsulAgent(
    options,
    (agent, clientOptions?: ConsulOptions) =>
      new Consul({ ...agentConnection(agent), ...clientOptions }),
  );
}
