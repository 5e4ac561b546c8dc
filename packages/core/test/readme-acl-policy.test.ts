import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import { type Consul, type ConsulLogger, LIVENESS_SERVICE_NAME, silentLogger } from '../src';
import { useAgent } from './support/agent';
import { waitFor } from './support/coordination';

/** The `hcl` block of the root README's "ACL policy" bullet, verbatim. */
function readmePolicy(): string {
  const readme = readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const block = /\*\*ACL policy\*\*[\s\S]*?```hcl\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('no hcl block under "ACL policy" in the root README');
  return block.replace(/^ {2}/gm, '');
}

/** A logger keeping warnings and errors. */
function recordingLogger(): ConsulLogger & { problems: string[] } {
  const problems: string[] = [];
  return {
    ...silentLogger,
    warn: (message) => problems.push(`warn ${message}`),
    error: (message) => problems.push(`error ${message}`),
    problems,
  };
}

/**
 * Root README, "Point it at a real Consul cluster": the ACL policy it gives is enough "for what the
 * examples do" (adapting the service name): register with an HTTP check, discover the other
 * service, read the KV config, lead the purge job with a liveness-bound session, work the purge
 * queue, drain and deregister — on an agent whose default policy is deny.
 */
describe('the ACL policy of the root README', () => {
  const fx = useAgent({ acl: true });
  const servers: Server[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  /** A token whose only policy is the README's, with `origin` replaced by `service`. */
  async function tokenFor(service: string): Promise<string> {
    const admin = fx.client();
    await admin.transport.send({
      method: 'PUT',
      path: '/v1/acl/policy',
      json: {
        Name: `readme-${service}`,
        Rules: readmePolicy().replace('"origin"', `"${service}"`),
      },
    });
    const res = await admin.transport.send({
      method: 'PUT',
      path: '/v1/acl/token',
      json: { Policies: [{ Name: `readme-${service}` }] },
    });
    return (JSON.parse(res.text) as { SecretID: string }).SecretID;
  }

  /** Registers `name` on a local HTTP server with an HTTP check on /health, as the examples do. */
  async function serve(consul: Consul, name: string) {
    const server = createServer((req, res) => res.end(req.url === '/health' ? 'ok' : name));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const registration = consul.register({
      name,
      address: '127.0.0.1',
      port,
      check: { http: '/health', interval: '1s' },
    });
    await registration.registered;
    return registration;
  }

  it('lets an origin and an edge do everything the examples do, with no ACL denial', async () => {
    const admin = fx.client();
    await admin.kv.put('config/cdn/origin_timeout', '3s');
    await admin.kv.put('config/cdn/limits', '{"cacheTtlSeconds":60}');
    await admin.kv.put('cdn/purge-queue/img/1.jpg', '');
    // The policy is really the only grant: without the token, the agent denies.
    await expect(
      fx.client({ token: undefined, env: {} }).kv.get('config/cdn/origin_timeout'),
    ).rejects.toMatchObject({ code: 'CONSUL_ACL' });

    const logs = { origin: recordingLogger(), edge: recordingLogger() };
    const origin = fx.client({ token: await tokenFor('origin'), env: {}, logger: logs.origin });
    const edge = fx.client({ token: await tokenFor('edge'), env: {}, logger: logs.edge });

    // Register once listening, with the HTTP check Consul polls.
    const registrations = [await serve(origin, 'origin'), await serve(edge, 'edge')];
    // The KV config, hot-reloaded: the origin's store over the prefix, the edge's keys.
    const originConfig = origin.config({ prefix: 'config/cdn/' });
    const edgeConfig = edge.config({
      keys: { 'config/cdn/origin_timeout': { parse: 'duration' } },
    });
    expect((await originConfig.ready()).values).toMatchObject({ origin_timeout: '3s' });
    await edgeConfig.ready();
    expect(edgeConfig.get('config/cdn/origin_timeout')).toBe(3_000);
    // Each calls the other through discovery (passing instances: health queries).
    const toEdge = await waitFor(() => origin.http('edge').get('/status'), { timeout: 15_000 });
    expect(await toEdge.body.text()).toBe('edge');
    const toOrigin = await waitFor(() => edge.http('origin').get('/objects/a'), {
      timeout: 15_000,
    });
    expect(await toOrigin.body.text()).toBe('origin');
    // The edge leads the purge job, its session bound to its liveness check, and works the queue.
    const election = edge.leader('cdn/leader/purge').start();
    await waitFor(() => election.isLeader, { timeout: 15_000 });
    const session = await edge.session.info(election.leadership?.session as string);
    expect(session?.serviceChecks.map((c) => c.id)).toEqual([
      expect.stringMatching(new RegExp(`^${LIVENESS_SERVICE_NAME}-`)),
    ]);
    const queued = (await edge.kv.keys('cdn/purge-queue/')).filter((k) => !k.endsWith('/'));
    expect(queued).toEqual(['cdn/purge-queue/img/1.jpg']);
    expect(await edge.kv.delete('cdn/purge-queue/img/1.jpg')).toBe(true);
    // Graceful shutdown: leadership released, maintenance, deregistration.
    await election.stop();
    for (const registration of registrations) {
      await registration.maintenance(true, 'shutting down');
      await registration.deregister();
    }
    await Promise.all([originConfig.close(), edgeConfig.close()]);
    expect(await admin.catalog.service('origin')).toEqual([]);
    expect(await admin.catalog.service('edge')).toEqual([]);
    expect(logs.origin.problems).toEqual([]);
    expect(logs.edge.problems).toEqual([]);
  });
});
