import {
  ConsulClosedError,
  ConsulOptionError,
  ConsulTimeoutError,
  createDnsSource,
  type DnsInstanceSource,
  ServiceClient,
  silentLogger,
} from '../src';
import { useAgent } from './support/agent';
import { type Backend, startBackend, stopAllBackends } from './http-backends';
import { delay, freePorts, uniqueName, waitFor } from '@consulkit/testing';

jest.setTimeout(30_000);

const sources: DnsInstanceSource[] = [];
afterEach(async () => {
  for (const s of sources.splice(0)) s.close();
  await stopAllBackends();
});

describe('createDnsSource options', () => {
  it.each([
    ['server', { server: 'localhost:8600' }],
    ['server', { server: '127.0.0.1' }],
    ['server', { server: '127.0.0.1:70000' }],
    ['cacheTtl', { server: '127.0.0.1:8600', cacheTtl: -1 }],
    ['timeout', { server: '127.0.0.1:8600', timeout: 0 }],
    ['datacenter', { server: '127.0.0.1:8600', datacenter: 'dc 2' }],
    ['tag', { server: '127.0.0.1:8600', tag: '' }],
    ['cacheTTL', { server: '127.0.0.1:8600', cacheTTL: 5 }],
  ])('a bad %s throws ConsulOptionError naming it', (option, options) => {
    expect(() => createDnsSource('users', options)).toThrow(ConsulOptionError);
    expect(() => createDnsSource('users', options)).toThrow(option);
  });

  it('builds [<tag>.]<name>.service[.<dc>].<domain>', () => {
    const src = createDnsSource('users', {
      server: '127.0.0.1:8600',
      tag: 'v2',
      datacenter: 'dc2',
    });
    sources.push(src);
    expect(src.query).toBe('v2.users.service.dc2.consul');
    const v6 = createDnsSource('users', { server: '[::1]:8600' });
    sources.push(v6);
    expect(v6.query).toBe('users.service.consul');
  });
});

describe('ServiceClient over a DNS source (agent with enable_truncate)', () => {
  const fx = useAgent({ extraConfig: 'dns_config { enable_truncate = true }' });

  async function setup(count: number) {
    const consul = fx.client({ logger: silentLogger });
    const name = uniqueName('dnssrc');
    const backends: Backend[] = [];
    for (let i = 0; i < count; i++) {
      const backend = await startBackend(`b${i}`);
      backends.push(backend);
      await consul.agent.service.register({
        name,
        id: `${name}-${i}`,
        address: '127.0.0.1',
        port: backend.port,
        check: { ttl: '60s', status: 'passing', checkId: `${name}-${i}-ttl` },
      });
    }
    const source = createDnsSource(name, {
      server: `127.0.0.1:${fx.agent.dnsPort}`,
      cacheTtl: 200,
    });
    sources.push(source);
    const client = new ServiceClient(source, {}, silentLogger);
    return { consul, name, backends, source, client };
  }

  it('balances over every instance the agent answers, and drops one whose check turns critical', async () => {
    const { consul, name, backends, source, client } = await setup(3);
    try {
      await source.ready();
      expect(
        source
          .instances()
          .map((i) => i.port)
          .sort(),
      ).toEqual(backends.map((b) => b.port).sort());
      for (let i = 0; i < 30; i++) expect((await client.get('/')).statusCode).toBe(200);
      for (const b of backends) expect(b.hits).toBeGreaterThan(0);

      await consul.agent.check.fail(`${name}-1-ttl`);
      const without = await waitFor(
        () => source.instances(),
        (list) => list.length === 2,
        { what: 'the critical instance to leave the DNS answer' },
      );
      expect(without.map((i) => i.port)).not.toContain(backends[1]!.port);
      const before = backends[1]!.hits;
      for (let i = 0; i < 20; i++) expect((await client.get('/')).statusCode).toBe(200);
      expect(backends[1]!.hits).toBe(before);
    } finally {
      await client.close();
    }
  });

  it('retries and ejection work as with the HTTP watch: a dead instance still in DNS costs no failed call', async () => {
    const { backends, client } = await setup(3);
    const retrying = new ServiceClient(client.source, { retries: 2 }, silentLogger);
    try {
      await backends[0]!.kill();
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await retrying.get('/')).statusCode);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(retrying.ejectedInstances()).toHaveLength(1);
    } finally {
      await retrying.close();
      await client.close();
    }
  });

  it('an answer is reused for cacheTtl: a change shows only after it (or after refresh())', async () => {
    const { consul, name, backends, client } = await setup(2);
    await client.close();
    const cached = createDnsSource(name, {
      server: `127.0.0.1:${fx.agent.dnsPort}`,
      cacheTtl: 600_000,
    });
    sources.push(cached);
    await cached.ready();
    expect(cached.instances()).toHaveLength(2);
    await consul.agent.check.fail(`${name}-0-ttl`);
    // Ground truth: a fresh source (no cache yet) already sees the instance gone.
    const fresh = createDnsSource(name, { server: `127.0.0.1:${fx.agent.dnsPort}`, cacheTtl: 0 });
    sources.push(fresh);
    await waitFor(
      () => fresh.instances(),
      (list) => list.length === 1,
    );
    // Asked twice, with time for a lookup in between: a source ignoring its TTL would have the
    // new answer by the second call.
    expect(cached.instances()).toHaveLength(2);
    await delay(300);
    expect(cached.instances()).toHaveLength(2);
    await cached.refresh();
    expect(cached.instances().map((i) => i.port)).toEqual([backends[1]!.port]);
  });

  it('sees all 12 instances (the truncated UDP answer is retried over TCP)', async () => {
    const { backends, source, client } = await setup(12);
    try {
      await source.ready();
      console.log(`dns source (enable_truncate): ${source.instances().length} of 12 instances`);
      expect(source.instances()).toHaveLength(backends.length);
    } finally {
      await client.close();
    }
  });
});

describe('DNS source on an agent with default dns_config', () => {
  const fx = useAgent();

  it('12 instances: a lookup sees 3 (UDP answer limit, no truncation flag)', async () => {
    const consul = fx.client({ logger: silentLogger });
    const name = uniqueName('dnsdef');
    for (let i = 0; i < 12; i++) {
      await consul.agent.service.register({
        name,
        id: `${name}-${i}`,
        address: `127.0.0.${2 + i}`,
        port: 20_000 + i,
      });
    }
    const source = createDnsSource(name, { server: `127.0.0.1:${fx.agent.dnsPort}` });
    sources.push(source);
    await source.ready();
    console.log(`dns source (defaults): ${source.instances().length} of 12 instances`);
    expect(source.instances()).toHaveLength(3);
  });

  it('an unreachable DNS server: ready() waits until its signal aborts, a call fails at its timeout', async () => {
    const port = (await freePorts(1))[0]!;
    const source = createDnsSource('users', { server: `127.0.0.1:${port}`, timeout: 100 });
    sources.push(source);
    await expect(source.ready(AbortSignal.timeout(300))).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    const client = new ServiceClient(source, { timeout: '300ms' }, silentLogger);
    try {
      await expect(client.get('/')).rejects.toThrow(ConsulTimeoutError);
    } finally {
      await client.close();
    }
  });

  it('close() rejects a pending ready() and later ones with ConsulClosedError', async () => {
    const port = (await freePorts(1))[0]!;
    const source = createDnsSource('users', { server: `127.0.0.1:${port}`, timeout: 100 });
    const pending = source.ready();
    source.close();
    await expect(pending).rejects.toThrow(ConsulClosedError);
    await expect(source.ready()).rejects.toThrow(ConsulClosedError);
    await expect(source.refresh()).rejects.toThrow(ConsulClosedError);
  });

  it('a service with no passing instance loads as empty (ready resolves, no instances)', async () => {
    const source = createDnsSource(uniqueName('nosuch'), {
      server: `127.0.0.1:${fx.agent.dnsPort}`,
    });
    sources.push(source);
    await source.ready();
    expect(source.instances()).toEqual([]);
  });
});
