import { freePorts } from './ports';

/** The ports one agent listens on, all on 127.0.0.1. */
export interface AgentPorts {
  http: number;
  https: number;
  dns: number;
  server: number;
  serfLan: number;
  serfWan: number;
}

/** Picks six distinct free loopback ports for one agent. */
export async function allocateAgentPorts(): Promise<AgentPorts> {
  const [http, https, dns, server, serfLan, serfWan] = (await freePorts(6)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { http, https, dns, server, serfLan, serfWan };
}

/** Paths of the TLS material made by `consul tls` for an agent. */
export interface TlsFiles {
  /** CA certificate that signed the agent's and the client's certificates. */
  ca: string;
  /** The agent's (server) certificate. */
  cert: string;
  /** The agent's (server) key. */
  key: string;
  /** A client certificate signed by the CA (agents started with `verifyIncoming`). */
  clientCert?: string;
  /** The key of `clientCert`. */
  clientKey?: string;
}

/**
 * How an agent runs: a `-dev` agent (in memory), a server with a data folder that waits for
 * `bootstrapExpect` servers, or a client agent with a data folder. Servers and clients keep
 * retrying to join the Serf LAN addresses in `retryJoin`.
 */
export type AgentRole =
  | { kind: 'dev' }
  | { kind: 'server'; stateDir: string; bootstrapExpect: number; retryJoin: readonly string[] }
  | { kind: 'client'; stateDir: string; retryJoin: readonly string[] };

/** Everything {@link buildAgentArgs} needs to describe one agent. */
export interface AgentArgsInput {
  role: AgentRole;
  datacenter: string;
  nodeName: string;
  ports: AgentPorts;
  /** Consul version of the binary, to pick config keys it accepts. */
  version: string;
  /** ACL master token; enables ACLs with `default_policy = "deny"`. */
  aclToken?: string | undefined;
  tlsFiles?: TlsFiles | undefined;
  /** Require a client certificate signed by the CA on HTTPS and turn plain HTTP off. */
  verifyIncoming?: boolean | undefined;
  extraConfig?: readonly string[] | undefined;
}

/** The `consul agent` command line for one loopback-only agent. */
export function buildAgentArgs(input: AgentArgsInput): string[] {
  const { ports } = input;
  const args = [
    'agent',
    '-bind=127.0.0.1',
    '-client=127.0.0.1',
    '-advertise=127.0.0.1',
    `-datacenter=${input.datacenter}`,
    `-node=${input.nodeName}`,
    // With verifyIncoming, plain HTTP would let any client in without a certificate.
    `-http-port=${input.verifyIncoming ? -1 : ports.http}`,
    `-dns-port=${ports.dns}`,
    `-server-port=${ports.server}`,
    `-serf-lan-port=${ports.serfLan}`,
    `-serf-wan-port=${ports.serfWan}`,
    '-grpc-port=-1',
    '-log-level=info',
    '-disable-host-node-id',
    ...roleArgs(input.role),
  ];
  if (input.aclToken) args.push('-hcl', aclConfig(input.aclToken, input.version));
  const tls = input.tlsFiles;
  if (tls) {
    args.push(`-https-port=${ports.https}`);
    args.push('-hcl', `ca_file = "${tls.ca}"`);
    args.push('-hcl', `cert_file = "${tls.cert}"`);
    args.push('-hcl', `key_file = "${tls.key}"`);
    if (input.verifyIncoming) args.push('-hcl', 'verify_incoming = true');
  }
  for (const snippet of input.extraConfig ?? []) args.push('-hcl', snippet);
  return args;
}

function roleArgs(role: AgentRole): string[] {
  if (role.kind === 'dev') return ['-dev'];
  const joins = role.retryJoin.map((address) => `-retry-join=${address}`);
  const common = [`-data-dir=${role.stateDir}`, ...joins];
  if (joins.length > 0) common.push('-retry-interval=1s');
  if (role.kind === 'client') return common;
  // The default raft_multiplier (5) takes more than 10 s to elect a new leader after a crash.
  return [
    '-server',
    `-bootstrap-expect=${role.bootstrapExpect}`,
    ...common,
    '-hcl',
    'performance { raft_multiplier = 1 }',
  ];
}

/** ACLs deny by default; the token is master and agent token. Consul 1.11 renamed `master`. */
function aclConfig(token: string, version: string): string {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const key = major > 1 || (major === 1 && minor >= 11) ? 'initial_management' : 'master';
  return (
    'acl { enabled = true, default_policy = "deny", down_policy = "extend-cache", ' +
    `tokens { ${key} = "${token}", agent = "${token}" } }`
  );
}
