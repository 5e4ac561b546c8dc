import { startFederation, type ConsulFederation } from '@consulkit/testing';
import { Consul, silentLogger, type Registration } from '../../src';
import { stopAllBackends } from '../http-backends';

/** One dc1+dc2 federation for a describe block, with clients per datacenter, all torn down. */
export interface FederationFixture {
  /** A client of `dc`'s server, closed after the block. */
  clientOf(dc: string): Consul;
  /** Registrations made in the block: deregistered (best effort) before the clients close. */
  readonly registrations: Registration[];
}

/**
 * Starts the federation before the block's tests and, after them, runs `beforeTeardown` (e.g.
 * closing a dispatcher), deregisters, closes the clients, stops the test backends and the agents.
 */
export function useFederation(beforeTeardown?: () => Promise<unknown>): FederationFixture {
  let fed: ConsulFederation | undefined;
  const clients: Consul[] = [];
  const registrations: Registration[] = [];

  beforeAll(async () => {
    fed = await startFederation({ datacenters: ['dc1', 'dc2'] });
  });

  afterAll(async () => {
    await beforeTeardown?.();
    await Promise.allSettled(registrations.map((r) => r.deregister({ timeout: '2s' })));
    await Promise.all(clients.map((c) => c.close()));
    await stopAllBackends();
    await fed?.stop();
  });

  return {
    registrations,
    clientOf(dc) {
      if (!fed) throw new Error('the federation is not started yet: call clientOf inside tests');
      const client = new Consul({ address: fed.dc(dc).address, logger: silentLogger });
      clients.push(client);
      return client;
    },
  };
}
