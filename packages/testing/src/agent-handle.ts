import { type AgentPorts } from './agent-args';
import { type AgentProcess } from './agent-process';
import { waitForLeader, waitForNodeCheck } from './http-probe';

/** What every agent the harness starts exposes: single agents and cluster members alike. */
export interface ConsulNode {
  /** Base URL clients use: `http://127.0.0.1:<httpPort>`, or `https://127.0.0.1:<httpsPort>` with TLS. */
  readonly address: string;
  /**
   * Plain HTTP base URL (also served with `tls: true`). An agent started with
   * `tls: { verifyIncoming: true }` serves no plain HTTP: this is then its HTTPS `address`.
   */
  readonly httpAddress: string;
  /** HTTP API port. */
  readonly httpPort: number;
  /** DNS interface port (UDP and TCP). */
  readonly dnsPort: number;
  /** Serf LAN gossip port (`-serf-lan-port`), the address others join. */
  readonly serfLanPort: number;
  /** Serf WAN gossip port (`-serf-wan-port`), the address other datacenters join (servers). */
  readonly serfWanPort: number;
  /** Server RPC port; `/v1/status/leader` names a leader as `127.0.0.1:<serverPort>`. */
  readonly serverPort: number;
  /** Datacenter name. */
  readonly datacenter: string;
  /** Node name in the catalog. */
  readonly nodeName: string;
  /** Folder holding the agent's state and certificates; removed by `stop()`. */
  readonly dataDir: string;
  /** Consul version of the binary, e.g. `1.8.7`. */
  readonly version: string;
  /** Path of the consul binary. */
  readonly binary: string;
  /** PID of the agent process while it runs. */
  readonly pid: number | undefined;
  /** True while the agent process runs. */
  readonly running: boolean;
  /** The agent's recent output. */
  logs(): string;
  /** Stops the agent (graceful, then SIGKILL) and removes its data folder. */
  stop(): Promise<void>;
  /** Stops and starts the agent on the same ports and folder; a `-dev` agent loses all state. */
  restart(): Promise<void>;
  /** Kills the agent abruptly (default SIGKILL), keeping its folder so `restart()` can bring it back. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** The fixed facts of one agent, from which {@link nodeHandle} builds its handle. */
export interface NodeFacts {
  ports: AgentPorts;
  /** True when `address` is the HTTPS one. */
  https: boolean;
  datacenter: string;
  nodeName: string;
  dataDir: string;
  version: string;
  binary: string;
  /** CA PEM to trust for HTTPS readiness probes. */
  ca: string | undefined;
  /** Client certificate and key PEM the probes present (agents that verify incoming HTTPS). */
  client?: { cert: string; key: string } | undefined;
  /** How long a (re)start may take to see a leader, in ms. */
  readyTimeout: number;
  /** ACL token for readiness probes that read the catalog (ACL agents). */
  token?: string;
}

/** Base URL of the HTTP API (or the HTTPS one) of an agent. */
export function agentAddress(facts: Pick<NodeFacts, 'ports' | 'https'>): string {
  return facts.https
    ? `https://127.0.0.1:${facts.ports.https}`
    : `http://127.0.0.1:${facts.ports.http}`;
}

/**
 * Waits until the agent behind `proc` answers with a leader and its node's `serfHealth` check is in
 * the catalog (the leader registers it a moment after the election; until then a session bound to
 * Consul's default check is refused with `Missing check 'serfHealth' registration`). Fails early if
 * the process exits.
 */
export async function waitForAgentLeader(proc: AgentProcess, facts: NodeFacts): Promise<void> {
  const deadline = Date.now() + facts.readyTimeout;
  const options = {
    ca: facts.ca,
    cert: facts.client?.cert,
    key: facts.client?.key,
    token: facts.token,
    isDead: () => !proc.isRunning,
  };
  await waitForLeader(agentAddress(facts), deadline, options);
  await waitForNodeCheck(agentAddress(facts), facts.nodeName, 'serfHealth', deadline, options);
}

/** Builds the handle of a started agent, plus the `extra` fields of its kind. */
export function nodeHandle<T extends object>(
  proc: AgentProcess,
  facts: NodeFacts,
  extra: T,
): ConsulNode & T {
  const { ports } = facts;
  return {
    ...extra,
    address: agentAddress(facts),
    httpAddress: facts.client ? agentAddress(facts) : `http://127.0.0.1:${ports.http}`,
    httpPort: ports.http,
    dnsPort: ports.dns,
    serfLanPort: ports.serfLan,
    serfWanPort: ports.serfWan,
    serverPort: ports.server,
    datacenter: facts.datacenter,
    nodeName: facts.nodeName,
    dataDir: facts.dataDir,
    version: facts.version,
    binary: facts.binary,
    get pid() {
      return proc.pid;
    },
    get running() {
      return proc.isRunning;
    },
    logs: () => proc.log.text(),
    stop: () => proc.dispose(),
    restart: async () => {
      await proc.terminate();
      proc.start();
      await waitForAgentLeader(proc, facts);
    },
    kill: (signal: NodeJS.Signals = 'SIGKILL') => proc.terminate(signal, 2_000),
  };
}
