import { startCluster, type ConsulCluster } from '../src';
import { waitUntil } from './helpers';

interface Member {
  Name: string;
  Status: number;
  Tags: Record<string, string>;
}

describe('startCluster({ servers: 3, clients: 1 })', () => {
  let cluster: ConsulCluster;

  beforeAll(async () => {
    cluster = await startCluster({ servers: 3, clients: 1 });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('joins every member, on distinct ports, with one agreed leader', async () => {
    expect(cluster.address).toBe(cluster.clients[0]?.address);
    const members = (await (await fetch(`${cluster.address}/v1/agent/members`)).json()) as Member[];
    expect(members.filter((m) => m.Status === 1)).toHaveLength(4);
    expect(members.filter((m) => m.Tags.role === 'consul')).toHaveLength(3);
    const all = [...cluster.servers, ...cluster.clients];
    expect(new Set(all.map((m) => m.serfLanPort)).size).toBe(4);
    const leader = await cluster.leader();
    expect(leader.role).toBe('server');
    for (const member of all) {
      const seen = await (await fetch(`${member.address}/v1/status/leader`)).json();
      expect(seen).toBe(`127.0.0.1:${leader.serverPort}`);
    }
  });

  it('elects a new leader after killLeader(), and reads and writes work again', async () => {
    const put = await fetch(`${cluster.address}/v1/kv/cluster/before`, {
      method: 'PUT',
      body: '1',
    });
    expect(await put.json()).toBe(true);

    const killed = await cluster.killLeader();
    expect(killed.running).toBe(false);
    const leader = await cluster.leader();
    expect(leader).not.toBe(killed);
    expect(leader.running).toBe(true);

    const write = await fetch(`${cluster.address}/v1/kv/cluster/after`, {
      method: 'PUT',
      body: '2',
    });
    expect(write.status).toBe(200);
    const before = await fetch(`${cluster.address}/v1/kv/cluster/before?raw`);
    expect(await before.text()).toBe('1');
    const viaServer = await fetch(`${leader.address}/v1/kv/cluster/after?raw`);
    expect(await viaServer.text()).toBe('2');
  });

  it('brings a killed server back with restart(), rejoined and serving the data', async () => {
    const stopped = cluster.servers.find((s) => !s.running);
    if (!stopped) throw new Error('expected the server killed by the previous test');
    await stopped.restart();
    expect(cluster.servers.every((s) => s.running)).toBe(true);
    // Rejoining may cost one election (1.8.7's raft has no pre-vote), so allow the cluster to settle.
    const leader = await cluster.leader();
    expect(leader.running).toBe(true);
    let value = '';
    await waitUntil(async () => {
      const res = await fetch(`${stopped.address}/v1/kv/cluster/after?raw`);
      value = await res.text();
      return res.status === 200;
    }, 'the restarted server answers a KV read');
    expect(value).toBe('2');
  });
});

describe('startCluster({ servers: 1 })', () => {
  let cluster: ConsulCluster;

  beforeAll(async () => {
    cluster = await startCluster({ servers: 1 });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('serves through its only server and refuses a killLeader() that would lose quorum', async () => {
    const [server] = cluster.servers;
    expect(cluster.address).toBe(server?.address);
    expect(await cluster.leader()).toBe(server);
    await expect(cluster.killLeader()).rejects.toThrow(/too few to elect a leader/);
    expect(server?.running).toBe(true);
  });
});
