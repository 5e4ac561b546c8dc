import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { allocateAgentPorts, buildAgentArgs, type AgentRole, type TlsFiles } from './agent-args';
import { nodeHandle, waitForAgentLeader, type ConsulNode, type NodeFacts } from './agent-handle';
import { AgentProcess } from './agent-process';
import { launchAgents, prepareBinary } from './launch';
import { stderrLogger } from './log';
import {
  checkBooleans,
  validateCommonOptions,
  checkInteger,
  checkName,
  extraConfigList,
  optionRecord,
  type CommonAgentOptions,
} from './options';
import { ConsulHarnessOptionError } from './errors';
import { makeTlsFiles } from './tls-files';

/** Options of {@link startConsul}. Every field is optional. */
export interface StartConsulOptions extends CommonAgentOptions {
  /** Enable ACLs with `default_policy = "deny"`; the master token is returned as `token`. */
  acl?: boolean;
  /**
   * Serve HTTPS with a CA and server certificate made by `consul tls`; `address` is then https.
   * `{ verifyIncoming: true }` also makes the agent require a client certificate signed by that CA
   * (`verify_incoming`), issues one (`tls.clientCert`, `tls.clientKey`) and turns plain HTTP off.
   */
  tls?: boolean | AgentTlsOptions;
  /** Keep state across `restart()` (a single-server agent with a data folder instead of `-dev`). */
  persistent?: boolean;
  /** Node name. Default `consulkit-<random>`. */
  nodeName?: string;
  /** A fixed HTTP port instead of a random one (for tools that expect e.g. 8500). */
  httpPort?: number;
}

/** The object form of {@link StartConsulOptions.tls}. */
export interface AgentTlsOptions {
  /**
   * Require a client certificate signed by the agent's CA on HTTPS (`verify_incoming = true`) and
   * serve no plain HTTP (`ports { http = -1 }`). Default `false` (like `tls: true`).
   */
  verifyIncoming?: boolean;
}

/** The TLS set-up of an agent started with `tls`: the {@link TlsFiles} paths, and whether it asks for a client certificate. */
export interface AgentTls extends TlsFiles {
  /** True when the agent refuses HTTPS clients without a certificate signed by `ca`. */
  readonly verifyIncoming: boolean;
}

/** A running agent started by {@link startConsul}. */
export interface ConsulAgent extends ConsulNode {
  /** HTTPS port (with `tls`). */
  readonly httpsPort: number | undefined;
  /** ACL master token (with `acl`). */
  readonly token: string | undefined;
  /** CA certificate PEM (with `tls`). */
  readonly ca: string | undefined;
  /** Paths of the CA, server certificate and key, and the client ones with `verifyIncoming`. */
  readonly tlsFiles: TlsFiles | undefined;
  /**
   * The TLS set-up (with `tls`): the {@link TlsFiles} paths plus `verifyIncoming`. With
   * `verifyIncoming`, `tls.clientCert` and `tls.clientKey` are the paths a client presents.
   */
  readonly tls: AgentTls | undefined;
}

/** Validates {@link StartConsulOptions}; throws a {@link ConsulHarnessOptionError} naming the option. */
export function validateStartOptions(options: unknown): StartConsulOptions {
  const o = optionRecord(
    options,
    ['acl', 'tls', 'persistent', 'nodeName', 'httpPort'],
    'startConsul',
  );
  checkBooleans(o, ['acl', 'persistent']);
  checkTlsOption(o.tls);
  checkName(o, 'nodeName');
  checkInteger(o, 'httpPort', 1, 65_535);
  validateCommonOptions(o);
  return o as StartConsulOptions;
}

function checkTlsOption(tls: unknown): void {
  if (tls === undefined || typeof tls === 'boolean') return;
  if (typeof tls !== 'object' || tls === null || Array.isArray(tls)) {
    throw new ConsulHarnessOptionError('tls', 'a boolean or { verifyIncoming?: boolean }', tls);
  }
  for (const [key, value] of Object.entries(tls)) {
    if (key !== 'verifyIncoming') {
      throw new ConsulHarnessOptionError(`tls.${key}`, 'an option of tls (verifyIncoming)', value);
    }
    if (value !== undefined && typeof value !== 'boolean') {
      throw new ConsulHarnessOptionError('tls.verifyIncoming', 'a boolean', value);
    }
  }
}

/** Default `startTimeout` of {@link startConsul}: how long to wait for a leader, in ms. */
export const AGENT_START_TIMEOUT_MS = 30_000;

/**
 * Starts a real Consul agent on random free loopback ports and resolves once it has a leader: a
 * `-dev` agent, or with `persistent` a one-server agent with a data folder. Always `stop()` it (for
 * example in jest's `afterAll`).
 */
export async function startConsul(options?: StartConsulOptions): Promise<ConsulAgent> {
  const opts = validateStartOptions(options);
  const logger = opts.logger ?? stderrLogger;
  const binary = await prepareBinary(opts.binary, logger);
  const datacenter = opts.datacenter ?? 'dc1';
  const nodeName = opts.nodeName ?? `consulkit-${randomUUID().slice(0, 8)}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'consulkit-agent-'));
  const token = opts.acl ? randomUUID() : undefined;
  const verifyIncoming = typeof opts.tls === 'object' && opts.tls.verifyIncoming === true;
  const tlsFiles = opts.tls
    ? await makeTlsFiles(binary.path, dataDir, datacenter, verifyIncoming)
    : undefined;
  const tls: AgentTls | undefined = tlsFiles ? { ...tlsFiles, verifyIncoming } : undefined;
  const ca = tlsFiles ? readFileSync(tlsFiles.ca, 'utf8') : undefined;
  const client =
    tlsFiles?.clientCert !== undefined && tlsFiles.clientKey !== undefined
      ? {
          cert: readFileSync(tlsFiles.clientCert, 'utf8'),
          key: readFileSync(tlsFiles.clientKey, 'utf8'),
        }
      : undefined;
  const role: AgentRole = opts.persistent
    ? { kind: 'server', stateDir: path.join(dataDir, 'state'), bootstrapExpect: 1, retryJoin: [] }
    : { kind: 'dev' };

  const agent = await launchAgents(`consul agent ${nodeName}`, logger, async () => {
    const ports = await allocateAgentPorts();
    if (opts.httpPort) ports.http = opts.httpPort;
    const facts: NodeFacts = {
      ports,
      https: tlsFiles !== undefined,
      datacenter,
      nodeName,
      dataDir,
      version: binary.version,
      binary: binary.path,
      ca,
      client,
      readyTimeout: opts.startTimeout ?? AGENT_START_TIMEOUT_MS,
      token,
    };
    const args = buildAgentArgs({
      role,
      datacenter,
      nodeName,
      ports,
      version: binary.version,
      aclToken: token,
      tlsFiles,
      verifyIncoming,
      extraConfig: extraConfigList(opts.extraConfig),
    });
    const proc = new AgentProcess(binary.path, args, dataDir, nodeName, logger);
    return {
      processes: [proc],
      ready: async () => {
        await waitForAgentLeader(proc, facts);
        return nodeHandle(proc, facts, {
          httpsPort: tlsFiles ? ports.https : undefined,
          token,
          ca,
          tlsFiles,
          tls,
        });
      },
    };
  });
  logger(`consul ${agent.version} agent ${nodeName} ready at ${agent.address} (pid ${agent.pid})`);
  return agent;
}
