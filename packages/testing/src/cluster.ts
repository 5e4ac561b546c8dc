import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { allocateAgentPorts, buildAgentArgs, type AgentPorts, type AgentRole } from './agent-args';
import { nodeHandle, type NodeFacts } from './agent-handle';
import { AgentProcess } from './agent-process';
import { waitForAgreedLeader } from './cluster-leader';
import { clusterHandle, type ConsulCluster } from './cluster-handle';
import { launchAgents, prepareBinary, type ResolvedBinary } from './launch';
import { stderrLogger, type HarnessLogger } from './log';
import {
  validateCommonOptions,
  checkInteger,
  extraConfigList,
  optionRecord,
  type CommonAgentOptions,
} from './options';

/** Options of {@link startCluster}. Every field is optional. */
export interface StartClusterOptions extends CommonAgentOptions {
  /** Number of servers, 1 to 7. Default 3. */
  servers?: number;
  /** Number of client agents joined to the servers, 0 to 7. Default 0. */
  clients?: number;
}

/** Validates {@link StartClusterOptions}; throws a {@link ConsulHarnessOptionError} naming the option. */
export function validateClusterOptions(options: unknown): StartClusterOptions {
  const o = optionRecord(options, ['servers', 'clients'], 'startCluster');
  checkInteger(o, 'servers', 1, 7);
  checkInteger(o, 'clients', 0, 7);
  validateCommonOptions(o);
  return o as StartClusterOptions;
}

interface MemberSpec {
  role: 'server' | 'client';
  nodeName: string;
  dataDir: string;
}

/** Default `startTimeout` of {@link startCluster}: how long to wait for an agreed leader, in ms. */
export const CLUSTER_START_TIMEOUT_MS = 60_000;

/**
 * Starts `servers` Consul servers (`-bootstrap-expect`, `raft_multiplier = 1`, a data folder each)
 * and `clients` client agents on random loopback ports, all joined by `-retry-join`. Resolves once
 * every member names the same leader. Always `stop()` it.
 */
export async function startCluster(options?: StartClusterOptions): Promise<ConsulCluster> {
  const opts = validateClusterOptions(options);
  const logger = opts.logger ?? stderrLogger;
  const binary = await prepareBinary(opts.binary, logger);
  const serverCount = opts.servers ?? 3;
  const clientCount = opts.clients ?? 0;
  const datacenter = opts.datacenter ?? 'dc1';
  const readyTimeout = opts.startTimeout ?? CLUSTER_START_TIMEOUT_MS;
  const id = randomUUID().slice(0, 8);
  const spec = (role: MemberSpec['role'], i: number): MemberSpec => {
    const nodeName = `consulkit-${id}-${role}-${i}`;
    return { role, nodeName, dataDir: mkdtempSync(path.join(tmpdir(), `${nodeName}-`)) };
  };
  const specs = [
    ...Array.from({ length: serverCount }, (_, i) => spec('server', i)),
    ...Array.from({ length: clientCount }, (_, i) => spec('client', i)),
  ];

  const ctx: ClusterContext = {
    binary,
    datacenter,
    readyTimeout,
    serverCount,
    extraConfig: extraConfigList(opts.extraConfig),
    logger,
  };
  const { handles, processes } = await launchAgents(`consul cluster ${id}`, logger, async () => {
    const ports: AgentPorts[] = [];
    for (const _ of specs) ports.push(await allocateAgentPorts());
    const joins = ports.slice(0, serverCount).map((p) => `127.0.0.1:${p.serfLan}`);
    const started = specs.map((s, i) =>
      planMember(
        ctx,
        s,
        ports[i] as AgentPorts,
        joins.filter((_, j) => j !== i),
      ),
    );
    const processes = started.map((m) => m.proc);
    return {
      processes,
      ready: async () => {
        const handles = started.map((m) => nodeHandle(m.proc, m.facts, { role: m.role }));
        const isDead = () => processes.some((p) => !p.isRunning);
        await waitForAgreedLeader(handles, Date.now() + readyTimeout, { isDead });
        return { handles, processes };
      },
    };
  });
  const cluster = clusterHandle(handles, {
    datacenter,
    version: binary.version,
    readyTimeout,
    // The whole cluster is thrown away: no graceful leave (a client's takes seconds), all at once.
    stop: async () => {
      await Promise.all(processes.map((p) => p.dispose('SIGKILL')));
    },
  });
  logger(
    `consul ${binary.version} cluster ${id} ready: ${serverCount} servers, ${clientCount} clients, ` +
      `address ${cluster.address}`,
  );
  return cluster;
}

/** What every member of one cluster shares. */
interface ClusterContext {
  binary: ResolvedBinary;
  datacenter: string;
  readyTimeout: number;
  serverCount: number;
  extraConfig: string[];
  logger: HarnessLogger;
}

/** The process of one member (not started yet) and the facts its handle needs. */
function planMember(ctx: ClusterContext, spec: MemberSpec, ports: AgentPorts, joins: string[]) {
  const facts: NodeFacts = {
    ports,
    https: false,
    datacenter: ctx.datacenter,
    nodeName: spec.nodeName,
    dataDir: spec.dataDir,
    version: ctx.binary.version,
    binary: ctx.binary.path,
    ca: undefined,
    readyTimeout: ctx.readyTimeout,
  };
  const args = buildAgentArgs({
    role: memberRole(spec, ctx.serverCount, joins),
    datacenter: ctx.datacenter,
    nodeName: spec.nodeName,
    ports,
    version: ctx.binary.version,
    extraConfig: ctx.extraConfig,
  });
  const proc = new AgentProcess(ctx.binary.path, args, spec.dataDir, spec.nodeName, ctx.logger);
  return { proc, facts, role: spec.role };
}

function memberRole(spec: MemberSpec, serverCount: number, otherServers: string[]): AgentRole {
  const stateDir = path.join(spec.dataDir, 'state');
  rmSync(stateDir, { recursive: true, force: true }); // a retried start must not inherit old peers
  return spec.role === 'server'
    ? { kind: 'server', stateDir, bootstrapExpect: serverCount, retryJoin: otherServers }
    : { kind: 'client', stateDir, retryJoin: otherServers };
}
