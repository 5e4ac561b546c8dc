import { type ConsulNode } from './agent-handle';
import { waitForAgreedLeader } from './cluster-leader';
import { ConsulStartError } from './errors';

/** One agent of a cluster; `kill()` keeps its data so `restart()` rejoins it. */
export interface ClusterMember extends ConsulNode {
  /** A Raft server, or a client agent that forwards to the servers. */
  readonly role: 'server' | 'client';
}

/** A running cluster started by {@link startCluster}. */
export interface ConsulCluster {
  /** The servers, in start order. */
  readonly servers: readonly ClusterMember[];
  /** The client agents, in start order (empty unless `clients` was given). */
  readonly clients: readonly ClusterMember[];
  /** HTTP address of the first client, else of the first server. */
  readonly address: string;
  /** Datacenter name. */
  readonly datacenter: string;
  /** Consul version of the binary. */
  readonly version: string;
  /** The server every running member names as leader (waits until they agree). */
  leader(): Promise<ClusterMember>;
  /**
   * Kills the leader with SIGKILL, waits until every running member (clients too) names the same
   * new leader, and returns the killed server (`restart()` brings it back as a follower). Rejects at
   * once when the servers left could not form a quorum.
   */
  killLeader(): Promise<ClusterMember>;
  /** Kills every member at once (no graceful leave: the cluster is thrown away) and removes their folders. */
  stop(): Promise<void>;
}

/** What {@link clusterHandle} needs besides the members. */
export interface ClusterFacts {
  datacenter: string;
  version: string;
  /** How long to wait for the members to agree on a leader, in ms. */
  readyTimeout: number;
  /** Stops every member. */
  stop(): Promise<void>;
}

/** Builds the handle of a started cluster whose members agree on a leader. */
export function clusterHandle(members: ClusterMember[], facts: ClusterFacts): ConsulCluster {
  const servers = members.filter((m) => m.role === 'server');
  const clients = members.filter((m) => m.role === 'client');
  const agreedLeader = async (exclude?: string): Promise<ClusterMember> => {
    let leader: string;
    try {
      const deadline = Date.now() + facts.readyTimeout;
      leader = await waitForAgreedLeader(members, deadline, { exclude });
    } catch (err) {
      throw new ConsulStartError(`no cluster leader: ${(err as Error).message}`, { cause: err });
    }
    const found = servers.find((s) => `127.0.0.1:${s.serverPort}` === leader);
    if (!found) throw new ConsulStartError(`the leader ${leader} is not a server of this cluster`);
    return found;
  };
  return {
    servers,
    clients,
    address: (clients[0] ?? (servers[0] as ClusterMember)).address,
    datacenter: facts.datacenter,
    version: facts.version,
    leader: () => agreedLeader(),
    killLeader: async () => {
      const quorum = Math.floor(servers.length / 2) + 1;
      const left = servers.filter((s) => s.running).length - 1;
      if (left < quorum) {
        throw new ConsulStartError(
          `killLeader(): ${left} of ${servers.length} servers would be left, too few to elect ` +
            `a leader (quorum ${quorum})`,
        );
      }
      const leader = await agreedLeader();
      await leader.kill('SIGKILL');
      await agreedLeader(`127.0.0.1:${leader.serverPort}`);
      return leader;
    },
    stop: facts.stop,
  };
}
