import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AgentProcess } from './agent-process';
import { consulVersion, ensureConsulBinary } from './binary';
import { ConsulHarnessOptionError, ConsulStartError } from './errors';
import { waitForLeader } from './http-probe';
import { stderrLogger, type HarnessLogger } from './log';
import { freePorts } from './ports';
import { cleanStaleAgents } from './process-registry';

const execFileAsync = promisify(execFile);

/** Options of {@link startConsul}. Every field is optional. */
export interface StartConsulOptions {
  /** Enable ACLs with `default_policy = "deny"`; the master token is returned as `token`. */
  acl?: boolean;
  /** Serve HTTPS with a CA and server certificate made by `consul tls`; `address` is then https. */
  tls?: boolean;
  /** Keep state across `restart()` (a single-server agent with a data folder instead of `-dev`). */
  persistent?: boolean;
  /** Extra HCL snippets passed with `-hcl`. */
  extraConfig?: string | readonly string[];
  /** Datacenter name. Default `dc1`. */
  datacenter?: string;
  /** Node name. Default `consulkit-<random>`. */
  nodeName?: string;
  /** How long to wait for a leader, in ms. Default 30 000. */
  startTimeout?: number;
  /** Path of the consul binary. Default: {@link ensureConsulBinary}. */
  binary?: string;
  /** Where harness messages go. Default: stderr. */
  logger?: HarnessLogger;
}

/** A running agent started by {@link startConsul}. */
export interface ConsulAgent {
  /** Base URL clients use: `http://127.0.0.1:<httpPort>`, or `https://127.0.0.1:<httpsPort>` with `tls`. */
  readonly address: string;
  /** Plain HTTP base URL (always served, also with `tls`). */
  readonly httpAddress: string;
  readonly httpPort: number;
  readonly httpsPort: number | undefined;
  readonly dnsPort: number;
  readonly serfLanPort: number;
  readonly serverPort: number;
  readonly datacenter: string;
  readonly nodeName: string;
  /** ACL master token (with `acl`). */
  readonly token: string | undefined;
  /** CA certificate PEM (with `tls`). */
  readonly ca: string | undefined;
  /** Paths of the client-usable TLS files (with `tls`). */
  readonly tlsFiles: { ca: string; cert: string; key: string } | undefined;
  readonly dataDir: string;
  readonly version: string;
  readonly binary: string;
  /** PID of the agent process while it runs. */
  readonly pid: number | undefined;
  /** The agent's recent output. */
  logs(): string;
  /** Stops the agent (graceful, then SIGKILL) and removes its data folder. */
  stop(): Promise<void>;
  /** Stops and starts the agent on the same ports; a non-persistent agent loses all state. */
  restart(): Promise<void>;
  /** Kills the agent abruptly (default SIGKILL), keeping its folder so `restart()` can bring it back. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const BOOLEAN_OPTIONS = ['acl', 'tls', 'persistent'] as const;

/** Validates {@link StartConsulOptions}; throws a {@link ConsulHarnessOptionError} naming the option. */
export function validateStartOptions(options: unknown): StartConsulOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConsulHarnessOptionError('options', 'an object', options);
  }
  const o = options as Record<string, unknown>;
  for (const key of BOOLEAN_OPTIONS) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') {
      throw new ConsulHarnessOptionError(key, 'a boolean', o[key]);
    }
  }
  const extra = o.extraConfig;
  if (
    extra !== undefined &&
    typeof extra !== 'string' &&
    !(Array.isArray(extra) && extra.every((e) => typeof e === 'string'))
  ) {
    throw new ConsulHarnessOptionError('extraConfig', 'an HCL string or an array of them', extra);
  }
  for (const key of ['datacenter', 'nodeName', 'binary'] as const) {
    const v = o[key];
    if (v !== undefined && (typeof v !== 'string' || !/^[A-Za-z0-9_./-]+$/.test(v))) {
      throw new ConsulHarnessOptionError(key, 'a non-empty name of [A-Za-z0-9_./-]', v);
    }
  }
  const timeout = o.startTimeout;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0))) {
    throw new ConsulHarnessOptionError(
      'startTimeout',
      'a positive number of milliseconds',
      timeout,
    );
  }
  if (o.logger !== undefined && typeof o.logger !== 'function') {
    throw new ConsulHarnessOptionError('logger', 'a function', o.logger);
  }
  return o as StartConsulOptions;
}

let staleCleaned = false;

/**
 * Starts a real Consul agent on random free loopback ports and resolves once it has a leader.
 * Always `stop()` it (for example in jest's `afterAll`).
 */
export async function startConsul(options?: StartConsulOptions): Promise<ConsulAgent> {
  const opts = validateStartOptions(options);
  const logger = opts.logger ?? stderrLogger;
  if (!staleCleaned) {
    staleCleaned = true;
    const killed = cleanStaleAgents();
    if (killed.length > 0)
      logger(`killed stale consul agents left by a dead run: ${killed.join(', ')}`);
  }
  const binary = opts.binary
    ? { path: opts.binary, version: await consulVersion(opts.binary) }
    : await ensureConsulBinary();
  const datacenter = opts.datacenter ?? 'dc1';
  const nodeName = opts.nodeName ?? `consulkit-${randomUUID().slice(0, 8)}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'consulkit-agent-'));
  const token = opts.acl ? randomUUID() : undefined;
  const tlsFiles = opts.tls ? await makeTlsFiles(binary.path, dataDir, datacenter) : undefined;
  const ca = tlsFiles ? readFileSync(tlsFiles.ca, 'utf8') : undefined;

  const lastError: unknown[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const [httpPort, dnsPort, serverPort, serfLanPort, serfWanPort, httpsPort] = (await freePorts(
      6,
    )) as [number, number, number, number, number, number];
    const args = agentArgs({
      opts,
      datacenter,
      nodeName,
      dataDir,
      token,
      tlsFiles,
      ports: { httpPort, dnsPort, serverPort, serfLanPort, serfWanPort, httpsPort },
    });
    const proc = new AgentProcess(binary.path, args, dataDir, nodeName, logger);
    const httpAddress = `http://127.0.0.1:${httpPort}`;
    const address = tlsFiles ? `https://127.0.0.1:${httpsPort}` : httpAddress;
    const startTimeout = opts.startTimeout ?? 30_000;
    const boot = async () => {
      proc.start();
      await waitForLeader(address, Date.now() + startTimeout, {
        ca,
        isDead: () => !proc.isRunning,
      });
    };
    try {
      await boot();
    } catch (err) {
      const output = proc.log.text();
      await proc.terminate('SIGKILL');
      lastError.push(err);
      if (/address already in use/i.test(output) && attempt < 2) continue;
      throw new ConsulStartError(
        `consul agent ${nodeName} did not become ready: ${(err as Error).message}\n${output}`,
        { cause: err },
      );
    }
    logger(`consul ${binary.version} agent ${nodeName} ready at ${address} (pid ${proc.pid})`);
    return {
      address,
      httpAddress,
      httpPort,
      httpsPort: tlsFiles ? httpsPort : undefined,
      dnsPort,
      serfLanPort,
      serverPort,
      datacenter,
      nodeName,
      token,
      ca,
      tlsFiles,
      dataDir,
      version: binary.version,
      binary: binary.path,
      get pid() {
        return proc.pid;
      },
      logs: () => proc.log.text(),
      stop: () => proc.dispose(),
      restart: async () => {
        await proc.terminate();
        await boot();
      },
      kill: (signal: NodeJS.Signals = 'SIGKILL') => proc.terminate(signal, 2_000),
    };
  }
  throw new ConsulStartError(`consul agent ${nodeName} could not bind free ports`, {
    cause: lastError.at(-1),
  });
}

interface ArgsInput {
  opts: StartConsulOptions;
  datacenter: string;
  nodeName: string;
  dataDir: string;
  token: string | undefined;
  tlsFiles: { ca: string; cert: string; key: string } | undefined;
  ports: Record<
    'httpPort' | 'dnsPort' | 'serverPort' | 'serfLanPort' | 'serfWanPort' | 'httpsPort',
    number
  >;
}

function agentArgs({ opts, datacenter, nodeName, dataDir, token, tlsFiles, ports }: ArgsInput) {
  const args = [
    'agent',
    `-bind=127.0.0.1`,
    `-client=127.0.0.1`,
    `-advertise=127.0.0.1`,
    `-datacenter=${datacenter}`,
    `-node=${nodeName}`,
    `-http-port=${ports.httpPort}`,
    `-dns-port=${ports.dnsPort}`,
    `-server-port=${ports.serverPort}`,
    `-serf-lan-port=${ports.serfLanPort}`,
    `-serf-wan-port=${ports.serfWanPort}`,
    `-grpc-port=-1`,
    '-log-level=info',
    '-disable-host-node-id',
  ];
  if (opts.persistent) {
    const stateDir = path.join(dataDir, 'state');
    mkdirSync(stateDir, { recursive: true });
    args.push(
      '-server',
      '-bootstrap-expect=1',
      `-data-dir=${stateDir}`,
      '-hcl',
      'performance { raft_multiplier = 1 }',
    );
  } else {
    args.push('-dev');
  }
  if (token) {
    args.push(
      '-hcl',
      `acl { enabled = true, default_policy = "deny", down_policy = "extend-cache", tokens { master = "${token}", agent = "${token}" } }`,
    );
  }
  if (tlsFiles) {
    args.push(
      `-https-port=${ports.httpsPort}`,
      '-hcl',
      `ca_file = "${tlsFiles.ca}"`,
      '-hcl',
      `cert_file = "${tlsFiles.cert}"`,
      '-hcl',
      `key_file = "${tlsFiles.key}"`,
    );
  }
  const extra = opts.extraConfig;
  for (const snippet of typeof extra === 'string' ? [extra] : (extra ?? [])) {
    args.push('-hcl', snippet);
  }
  return args;
}

async function makeTlsFiles(binary: string, dataDir: string, datacenter: string) {
  const dir = path.join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true });
  await execFileAsync(binary, ['tls', 'ca', 'create'], { cwd: dir, timeout: 30_000 });
  await execFileAsync(binary, ['tls', 'cert', 'create', '-server', `-dc=${datacenter}`], {
    cwd: dir,
    timeout: 30_000,
  });
  return {
    ca: path.join(dir, 'consul-agent-ca.pem'),
    cert: path.join(dir, `${datacenter}-server-consul-0.pem`),
    key: path.join(dir, `${datacenter}-server-consul-0-key.pem`),
  };
}
