import {
  type Backend,
  catalogIds,
  type CatalogClient,
  checkStatus,
  type ConsulAgent,
  type HealthClient,
  passingIds,
  passingInstances,
  startBackend,
  uniqueName,
  useConsulAgent,
  waitFor,
} from '../src';
import { catalogService, serviceHealth } from '../src/catalog-source';

/** Registers a service instance on `agent` over its plain HTTP API, with its token. */
async function register(agent: ConsulAgent, definition: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${agent.httpAddress}/v1/agent/service/register`, {
    method: 'PUT',
    headers: agent.token ? { 'X-Consul-Token': agent.token } : {},
    body: JSON.stringify(definition),
  });
  if (res.status !== 200) throw new Error(`register: HTTP ${res.status} ${await res.text()}`);
}

/** A real HTTP client of the agent with the shape of core's `Consul`, recording its calls. */
function recordingClient(agent: ConsulAgent): HealthClient & CatalogClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    health: {
      service: (name, options) => {
        calls.push(`health ${name} ${JSON.stringify(options)}`);
        return serviceHealth(agent, name, options?.passing === true);
      },
    },
    catalog: {
      service: (name) => {
        calls.push(`catalog ${name}`);
        return catalogService(agent, name);
      },
    },
  };
}

describe('catalog helpers against a real agent', () => {
  const fx = useConsulAgent();
  const name = uniqueName('web');
  const [a, b, c] = [`${name}-a`, `${name}-b`, `${name}-c`];
  let backend: Backend;

  beforeAll(async () => {
    backend = await startBackend(() => ({ ok: true }));
    fx.defer(() => backend.close());
    // `b` is passing once the agent's HTTP check reached the backend; `a` starts passing and `c`
    // critical (TTL checks nobody renews within the file).
    await register(fx.agent, {
      Name: name,
      ID: b,
      Address: '127.0.0.1',
      Port: backend.port,
      Check: {
        CheckID: `${b}:http`,
        HTTP: `http://127.0.0.1:${backend.port}/health`,
        Interval: '1s',
      },
    });
    await register(fx.agent, {
      Name: name,
      ID: a,
      Port: 9,
      Check: { CheckID: `${a}:ttl`, TTL: '10m', Status: 'passing' },
    });
    await register(fx.agent, {
      Name: name,
      ID: c,
      Port: 10,
      Check: { CheckID: `${c}:ttl`, TTL: '10m', Status: 'critical' },
    });
  });

  it('passingIds: the passing instances, sorted by ID', async () => {
    await waitFor(
      () => passingIds(fx.agent, name),
      (ids) => ids.length === 2,
      {
        what: `${a} and ${b} passing`,
      },
    );
    expect(await passingIds(fx.agent, name)).toEqual([a, b]);
  });

  it('passingInstances: ID and port of each passing instance', async () => {
    const instances = await waitFor(
      () => passingInstances(fx.agent, name),
      (list) => list.length === 2,
    );
    expect([...instances].sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: a, port: 9 },
      { id: b, port: backend.port },
    ]);
  });

  it('catalogIds: every registered instance, the critical one included; none for an unknown name', async () => {
    expect((await catalogIds(fx.agent, name)).sort()).toEqual([a, b, c]);
    expect(await catalogIds(fx.agent, uniqueName('absent'))).toEqual([]);
  });

  it("checkStatus: a check's status, undefined for an unknown check or service", async () => {
    await waitFor(
      () => checkStatus(fx.agent, name, `${b}:http`),
      (status) => status === 'passing',
    );
    expect(backend.received).toContainEqual({
      method: 'GET',
      url: '/health',
      userAgent: 'Consul Health Check',
    });
    expect(await checkStatus(fx.agent, name, `${a}:ttl`)).toBe('passing');
    expect(await checkStatus(fx.agent, name, `${c}:ttl`)).toBe('critical');
    expect(await checkStatus(fx.agent, name, `${c}:nope`)).toBeUndefined();
    expect(await checkStatus(fx.agent, uniqueName('absent'), `${a}:ttl`)).toBeUndefined();
  });

  it('reads through a client when given one, with the options each helper needs', async () => {
    const client = recordingClient(fx.agent);
    await waitFor(
      () => passingIds(fx.agent, name),
      (ids) => ids.length === 2,
    );
    expect(await passingIds(client, name)).toEqual([a, b]);
    expect((await passingInstances(client, name)).map((i) => i.id).sort()).toEqual([a, b]);
    expect((await catalogIds(client, name)).sort()).toEqual([a, b, c]);
    expect(await checkStatus(client, name, `${c}:ttl`)).toBe('critical');
    expect(client.calls).toEqual([
      `health ${name} {"passing":true}`,
      `health ${name} {"passing":true}`,
      `catalog ${name}`,
      `health ${name} undefined`,
    ]);
  });

  it("rejects with the agent's answer when it is not 200", async () => {
    await expect(passingIds(fx.agent, '')).rejects.toThrow(
      /^GET \/v1\/health\/service\/\?passing answered HTTP 400: Missing service name$/,
    );
  });
});

describe('catalog helpers against an agent with ACLs and TLS', () => {
  const fx = useConsulAgent({ acl: true, tls: true });
  const name = uniqueName('secured');

  beforeAll(async () => {
    await register(fx.agent, {
      Name: name,
      ID: `${name}-1`,
      Port: 9,
      Check: { CheckID: `${name}-1:ttl`, TTL: '10m', Status: 'passing' },
    });
  });

  it("reads over HTTPS with the agent's CA and token", async () => {
    expect(fx.agent.address).toMatch(/^https:/);
    await waitFor(
      () => passingIds(fx.agent, name),
      (ids) => ids.length === 1,
    );
    expect(await catalogIds(fx.agent, name)).toEqual([`${name}-1`]);
    expect(await checkStatus(fx.agent, name, `${name}-1:ttl`)).toBe('passing');
  });

  it('sees nothing without the token (the ACLs filter the anonymous read)', async () => {
    await waitFor(
      () => passingIds(fx.agent, name),
      (ids) => ids.length === 1,
    );
    const anonymous = { address: fx.agent.address, ca: fx.agent.ca };
    expect(await passingIds(anonymous, name)).toEqual([]);
    expect(await catalogIds(anonymous, name)).toEqual([]);
  });
});
