import { startConsul, type ConsulAgent } from './agent';
import { ConsulHarnessError, ConsulHarnessOptionError } from './errors';
import { waitForDatacenters } from './http-probe';
import { optionRecord, validateCommonOptions, type CommonAgentOptions } from './options';

/** Options of {@link startFederation}. */
export interface StartFederationOptions extends Omit<CommonAgentOptions, 'datacenter'> {
  /** The datacenters, 2 to 5 distinct names; one `-dev` server each. The first is the primary. */
  datacenters: readonly string[];
}

/** Datacenters started by {@link startFederation}, WAN-joined. */
export interface ConsulFederation {
  /** The datacenter names, in the order given. */
  readonly datacenters: readonly string[];
  /** The server of each datacenter, by name. */
  readonly agents: Readonly<Record<string, ConsulAgent>>;
  /** The server of `datacenter`; throws a {@link ConsulHarnessOptionError} for a name not started. */
  dc(datacenter: string): ConsulAgent;
  /** Stops every agent (each removes its data folder). */
  stop(): Promise<void>;
}

/** Default `startTimeout` of {@link startFederation}, per agent and for the WAN join, in ms. */
export const FEDERATION_START_TIMEOUT_MS = 60_000;

/** Validates {@link StartFederationOptions}; throws a {@link ConsulHarnessOptionError} naming the option. */
export function validateFederationOptions(options: unknown): StartFederationOptions {
  if (options === undefined) {
    throw new ConsulHarnessOptionError(
      'datacenters',
      '2 to 5 distinct datacenter names',
      undefined,
    );
  }
  const o = optionRecord(options, ['datacenters'], 'startFederation');
  if ('datacenter' in o) {
    throw new ConsulHarnessOptionError('datacenter', 'no value (use datacenters)', o.datacenter);
  }
  const dcs = o.datacenters;
  if (
    !Array.isArray(dcs) ||
    dcs.length < 2 ||
    dcs.length > 5 ||
    new Set(dcs).size !== dcs.length ||
    !dcs.every((dc) => typeof dc === 'string' && /^[a-z0-9_-]+$/.test(dc))
  ) {
    // Lower case: Consul DNS names (`web.service.dc2.consul`) reach a datacenter by its name.
    throw new ConsulHarnessOptionError(
      'datacenters',
      '2 to 5 distinct datacenter names of [a-z0-9_-]',
      dcs,
    );
  }
  validateCommonOptions(o);
  return o as unknown as StartFederationOptions;
}

/**
 * Starts one `-dev` server per datacenter on random loopback ports (serf WAN included), WAN-joins
 * them to the first (`/v1/agent/join/<addr>?wan=1`, as `consul join -wan` does), and resolves once
 * every server lists every datacenter in `/v1/catalog/datacenters`. Always `stop()` it.
 *
 * @example
 * const fed = await startFederation({ datacenters: ['dc1', 'dc2'] });
 * const dc2 = new Consul({ address: fed.dc('dc2').address });
 * // ... dc1's agent forwards `?dc=dc2` requests over the WAN
 * await fed.stop();
 */
export async function startFederation(options: StartFederationOptions): Promise<ConsulFederation> {
  const opts = validateFederationOptions(options);
  const { datacenters, ...common } = opts;
  const startTimeout = opts.startTimeout ?? FEDERATION_START_TIMEOUT_MS;
  const started = await Promise.allSettled(
    datacenters.map((datacenter) => startConsul({ ...common, startTimeout, datacenter })),
  );
  const agents = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
  };
  const failed = started.find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    await stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  try {
    await wanJoin(agents, startTimeout);
  } catch (err) {
    await stop();
    throw err;
  }
  const byName = Object.fromEntries(agents.map((agent) => [agent.datacenter, agent]));
  return {
    datacenters: [...datacenters],
    agents: byName,
    dc(datacenter: string): ConsulAgent {
      const agent = byName[datacenter];
      if (agent === undefined) {
        throw new ConsulHarnessOptionError(
          'datacenter',
          `one of ${datacenters.join(', ')}`,
          datacenter,
        );
      }
      return agent;
    },
    stop,
  };
}

/** Joins every server's WAN pool to the first's and waits until each lists every datacenter. */
async function wanJoin(agents: readonly ConsulAgent[], timeoutMs: number): Promise<void> {
  const [primary, ...others] = agents as [ConsulAgent, ...ConsulAgent[]];
  for (const agent of others) {
    const url = `${agent.httpAddress}/v1/agent/join/127.0.0.1:${primary.serfWanPort}?wan=1`;
    const res = await fetch(url, {
      method: 'PUT',
      headers: agent.token ? { 'X-Consul-Token': agent.token } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status !== 200) {
      throw new ConsulHarnessError(
        'CONSULKIT_HARNESS_WAN_JOIN',
        `${agent.datacenter} could not WAN-join ${primary.datacenter}: HTTP ${res.status} ${(await res.text()).trim()}`,
      );
    }
  }
  const deadline = Date.now() + timeoutMs;
  const names = agents.map((agent) => agent.datacenter);
  await Promise.all(
    agents.map((agent) =>
      waitForDatacenters(agent.httpAddress, names, deadline, {
        isDead: () => !agent.running,
      }),
    ),
  );
}
