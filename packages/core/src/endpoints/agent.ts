import { ConsulOptionError, ConsulProtocolError } from '../errors';
import { decodeConsulJson } from '../internal/json';
import {
  wireInteger,
  wireInvalid,
  wireObject,
  wireOptionalBoolean,
  wireString,
  wireStringMap,
} from '../internal/wire';
import { type HealthCheck, type HealthCheckWire, healthCheckFromWire } from '../models/check';
import { type AgentService, type AgentServiceWire, agentServiceFromWire } from '../models/service';
import { type CallOptions, type QueryOptions, type WithMeta, type WriteOptions } from '../query';
import { type Transport } from '../transport';
import { AgentChecksApi } from './agent-check';
import { type AgentServiceApi, createAgentServiceApi } from './agent-service';
import { mapRecord, readJson } from './request';

/** A parsed Consul version, e.g. `1.8.7` or `1.16.0-dev`. */
export interface ConsulVersion {
  major: number;
  minor: number;
  patch: number;
  /** Text after `-` or `+` (`dev`, `ent`...), empty for a release. */
  prerelease: string;
  /** As the agent reported it. */
  text: string;
}

/** A gossip pool member (`GET /v1/agent/members`). */
export interface AgentMember {
  name: string;
  addr: string;
  port: number;
  /** Serf tags (`role`, `dc`, `build`...), verbatim. */
  tags: Record<string, string>;
  /** Serf status code (1 alive, 2 leaving, 3 left, 4 failed). */
  status: number;
  state: 'none' | 'alive' | 'leaving' | 'left' | 'failed';
}

/** `GET /v1/agent/self`, the fields a client needs, plus the whole answer in `raw`. */
export interface AgentSelf {
  /** `Config`: the agent's identity and build. */
  config: {
    datacenter: string;
    nodeName: string;
    nodeId: string;
    server: boolean;
    revision: string;
    /** `Config.Version` verbatim. */
    version: string;
  };
  /** The agent's Consul version, parsed: gate version-specific fields on it (REG-2). */
  version: ConsulVersion;
  /** `Member`: the agent as a gossip pool member. */
  member: AgentMember;
  /** Node metadata, keys verbatim. */
  nodeMeta: Record<string, string>;
  /** The answer as Consul sent it (PascalCase), for fields not mapped here. */
  raw: Readonly<Record<string, unknown>>;
}

/** Options of `consul.agent.members`. */
export interface AgentMembersOptions extends CallOptions {
  /** List the WAN pool (servers only) instead of the LAN pool. */
  wan?: boolean;
  /** Network segment (Enterprise). */
  segment?: string;
}

interface MemberWire {
  Name: string;
  Addr: string;
  Port: number;
  Tags?: Record<string, string> | null;
  Status: number;
}

interface SelfWire {
  Config: {
    Datacenter: string;
    NodeName: string;
    NodeID: string;
    Server: boolean;
    Revision: string;
    Version: string;
  };
  Member: MemberWire;
  Meta?: Record<string, string> | null;
}

const STATES = ['none', 'alive', 'leaving', 'left', 'failed'] as const;

/** Parses `1.8.7`, `1.16.0-dev`, `1.15.2+ent`; throws on anything else. */
export function parseConsulVersion(text: string): ConsulVersion {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+](.*))?$/.exec(text.trim());
  if (!m) throw new ConsulOptionError('Config.Version', 'a version such as 1.8.7', text);
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    prerelease: m[4] ?? '',
    text,
  };
}

function memberFromWire(wire: MemberWire): AgentMember {
  const w = wireObject(wire, 'a member');
  const status = wireInteger(w, 'Status');
  return {
    name: wireString(w, 'Name'),
    addr: wireString(w, 'Addr'),
    port: wireInteger(w, 'Port'),
    tags: wireStringMap(w, 'Tags'),
    status,
    state: STATES[status] ?? 'none',
  };
}

/** The version the agent reports: a version it cannot read is the answer's fault, not the user's. */
function agentVersion(config: ReturnType<typeof wireObject>, text: string): ConsulVersion {
  try {
    return parseConsulVersion(text);
  } catch (err) {
    throw new ConsulProtocolError(wireInvalid(config, 'Version').message, { cause: err });
  }
}

/** The local agent: `/v1/agent` (self, members, services, checks, TTL updates, maintenance). */
export class AgentApi {
  /**
   * Call `consul.agent.service(id)` to read one local instance; `register`, `deregister`,
   * `maintenance`, `health` and `healthByName` are its methods.
   */
  readonly service: AgentServiceApi;
  /** `register`, `deregister`, and TTL updates `pass`, `warn`, `fail`, `update`. */
  readonly check: AgentChecksApi;

  constructor(protected readonly transport: Transport) {
    this.service = createAgentServiceApi(transport);
    this.check = new AgentChecksApi(transport);
  }

  /** The agent's configuration and member info, with its parsed Consul `version`. */
  async self(options: CallOptions = {}): Promise<AgentSelf> {
    const res = await this.transport.send({ method: 'GET', path: '/v1/agent/self', options });
    return decodeConsulJson(res, (raw: SelfWire & Record<string, unknown>) => {
      const self = wireObject(raw, 'its agent description');
      const c = wireObject(raw.Config, 'its agent configuration');
      const version = wireString(c, 'Version');
      return {
        config: {
          datacenter: wireString(c, 'Datacenter'),
          nodeName: wireString(c, 'NodeName'),
          nodeId: wireString(c, 'NodeID'),
          server: wireOptionalBoolean(c, 'Server') ?? false,
          revision: wireString(c, 'Revision'),
          version,
        },
        version: agentVersion(c, version),
        member: memberFromWire(raw.Member),
        nodeMeta: wireStringMap(self, 'Meta'),
        raw,
      };
    });
  }

  /** Members of the agent's gossip pool. */
  async members(options: AgentMembersOptions = {}): Promise<AgentMember[]> {
    const res = await this.transport.send({
      method: 'GET',
      path: '/v1/agent/members',
      query: { wan: options.wan === true ? '1' : undefined, segment: options.segment },
      options,
    });
    return decodeConsulJson(res, (wire: MemberWire[] | null) => (wire ?? []).map(memberFromWire));
  }

  /** Instances registered on this agent, by ID (`filter` supported). */
  async services(options: QueryOptions = {}): Promise<WithMeta<Record<string, AgentService>>> {
    return readJson(
      this.transport,
      {
        path: '/v1/agent/services',
        map: (w: Record<string, AgentServiceWire> | null) => mapRecord(w, agentServiceFromWire),
      },
      options,
    );
  }

  /** Checks registered on this agent, by check ID (`filter` supported). */
  async checks(options: QueryOptions = {}): Promise<WithMeta<Record<string, HealthCheck>>> {
    return readJson(
      this.transport,
      {
        path: '/v1/agent/checks',
        map: (w: Record<string, HealthCheckWire> | null) => mapRecord(w, healthCheckFromWire),
      },
      options,
    );
  }

  /** Node maintenance (`_node_maintenance`): every instance on this node leaves `passing` results. */
  async maintenance(enable: boolean, reason?: string, options: WriteOptions = {}): Promise<void> {
    if (typeof enable !== 'boolean') throw new ConsulOptionError('enable', 'a boolean', enable);
    await this.transport.send({
      method: 'PUT',
      path: '/v1/agent/maintenance',
      query: { enable: String(enable), reason: reason || undefined },
      options,
      idempotent: true,
    });
  }
}
