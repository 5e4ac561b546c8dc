import { Resolver } from 'node:dns/promises';
import { type Consul, silentLogger } from '../src';
import { useAgent } from './support/agent';
import { uniqueName, waitFor } from '@consulkit/testing';

jest.setTimeout(30_000);

/**
 * Consul's DNS interface, queried the way an application would: Node's resolver (c-ares) pointed
 * at the agent's DNS port. These tests pin what Consul 1.8.7 answers, which a DNS-backed
 * discovery source would rely on.
 */
describe("the agent's DNS interface", () => {
  const fx = useAgent();
  const client = () => fx.client({ logger: silentLogger });

  const resolver = () => {
    // One try with a short timeout: a dead agent fails the test quickly instead of hanging.
    const r = new Resolver({ timeout: 2_000, tries: 2 });
    r.setServers([`127.0.0.1:${fx.agent.dnsPort}`]);
    return r;
  };

  /** Registers `count` instances of `name` on 127.0.0.<2+i>, port 20000+i, each with a TTL check. */
  async function registerInstances(
    consul: Consul,
    name: string,
    count: number,
    status: 'passing' | 'warning' | 'critical' = 'passing',
  ) {
    const instances = Array.from({ length: count }, (_, i) => ({
      id: `${name}-${i}`,
      address: `127.0.0.${2 + i}`,
      port: 20_000 + i,
      checkId: `${name}-${i}-ttl`,
    }));
    for (const inst of instances) {
      await consul.agent.service.register({
        name,
        id: inst.id,
        address: inst.address,
        port: inst.port,
        check: { ttl: '60s', status, checkId: inst.checkId },
      });
    }
    return instances;
  }

  it('SRV answers carry each registered port, A answers each registered address', async () => {
    const consul = client();
    const name = uniqueName('dns-srv');
    const instances = await registerInstances(consul, name, 3);
    const dns = resolver();

    const srv = await dns.resolveSrv(`${name}.service.consul`);
    expect(srv.map((r) => r.port).sort()).toEqual(instances.map((i) => i.port).sort());
    // Every target is a name inside the Consul domain that resolves to the instance's address.
    for (const record of srv) expect(record.name).toMatch(/\.consul$/);
    const targets = await Promise.all(srv.map((r) => dns.resolve4(r.name)));
    const byPort = new Map(srv.map((r, i) => [r.port, targets[i]]));
    for (const inst of instances) expect(byPort.get(inst.port)).toEqual([inst.address]);

    const a = await dns.resolve4(`${name}.service.consul`);
    expect([...a].sort()).toEqual(instances.map((i) => i.address).sort());
  });

  it('a critical instance disappears from the answers and comes back when passing; warning stays', async () => {
    const consul = client();
    const name = uniqueName('dns-health');
    const [a, b, c] = await registerInstances(consul, name, 3);
    const dns = resolver();
    const ports = async () =>
      (await dns.resolveSrv(`${name}.service.consul`)).map((r) => r.port).sort();
    expect(await ports()).toEqual([a!.port, b!.port, c!.port]);

    await consul.agent.check.fail(b!.checkId);
    // Consul's DNS (only_passing = false by default) drops critical instances, keeps warning ones.
    await consul.agent.check.warn(c!.checkId);
    const same = (want: number[]) => (got: number[]) => got.join() === want.sort().join();
    expect(await waitFor(ports, same([a!.port, c!.port]))).toEqual([a!.port, c!.port].sort());
    expect([...(await dns.resolve4(`${name}.service.consul`))].sort()).toEqual(
      [a!.address, c!.address].sort(),
    );

    await consul.agent.check.pass(b!.checkId);
    expect(await waitFor(ports, same([a!.port, b!.port, c!.port]))).toHaveLength(3);
  });

  it('a service whose every instance is critical has no answer (ENOTFOUND)', async () => {
    const consul = client();
    const name = uniqueName('dns-down');
    await registerInstances(consul, name, 2, 'critical');
    await expect(resolver().resolveSrv(`${name}.service.consul`)).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
  });

  it('<svc>.service.<dc>.consul answers for the local datacenter, an unknown datacenter does not', async () => {
    const consul = client();
    const name = uniqueName('dns-dc');
    const instances = await registerInstances(consul, name, 2);
    const dns = resolver();
    const srv = await dns.resolveSrv(`${name}.service.${fx.agent.datacenter}.consul`);
    expect(srv.map((r) => r.port).sort()).toEqual(instances.map((i) => i.port).sort());
    await expect(dns.resolveSrv(`${name}.service.nodc.consul`)).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
  });

  it('12 instances: one UDP lookup sees only 3 (udp_answer_limit, no truncation flag by default)', async () => {
    const consul = client();
    const name = uniqueName('dns-many');
    const instances = await registerInstances(consul, name, 12);
    const dns = resolver();
    const srv = await dns.resolveSrv(`${name}.service.consul`);
    const a = await dns.resolve4(`${name}.service.consul`);
    console.log(
      `dns (defaults): ${instances.length} instances registered, SRV answers ${srv.length}, A answers ${a.length}`,
    );
    // Consul 1.8.7 trims UDP answers to udp_answer_limit (3) without setting TC, so the resolver
    // never retries over TCP: a DNS client sees a random 3 of the 12 per lookup.
    expect(srv).toHaveLength(3);
    expect(a).toHaveLength(3);
    const registered = new Set(instances.map((i) => i.port));
    for (const record of srv) expect(registered.has(record.port)).toBe(true);
  });
});

describe("the agent's DNS interface with dns_config { enable_truncate = true }", () => {
  const fx = useAgent({ extraConfig: 'dns_config { enable_truncate = true }' });

  it('12 instances: the truncated UDP answer makes the resolver retry over TCP and see all 12', async () => {
    const consul = fx.client({ logger: silentLogger });
    const name = uniqueName('dns-trunc');
    const ports: number[] = [];
    for (let i = 0; i < 12; i++) {
      ports.push(20_000 + i);
      await consul.agent.service.register({
        name,
        id: `${name}-${i}`,
        address: `127.0.0.${2 + i}`,
        port: 20_000 + i,
        check: { ttl: '60s', status: 'passing', checkId: `${name}-${i}-ttl` },
      });
    }
    const dns = new Resolver({ timeout: 2_000, tries: 2 });
    dns.setServers([`127.0.0.1:${fx.agent.dnsPort}`]);
    const srv = await dns.resolveSrv(`${name}.service.consul`);
    const a = await dns.resolve4(`${name}.service.consul`);
    console.log(
      `dns (enable_truncate): 12 instances registered, SRV answers ${srv.length}, A answers ${a.length}`,
    );
    expect(srv.map((r) => r.port).sort()).toEqual(ports);
    expect(a).toHaveLength(12);
  });
});
