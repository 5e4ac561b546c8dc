import {
  Consul,
  ConsulOptionError,
  type ConsulLogger,
  type HeldLock,
  LIVENESS_SERVICE_NAME,
  silentLogger,
} from '../src';
import { ResourceScope } from '../src/adapter/resource-scope';
import { useAgent } from './support/agent';
import { waitFor } from './support/coordination';

/** The liveness service ID and check ID of a session, from its name's unique suffix. */
function livenessIds(sessionName: string): { serviceId: string; checkId: string } {
  const suffix = /\[([0-9a-f]{8})\]$/.exec(sessionName)?.[1];
  expect(suffix).toBeDefined();
  const serviceId = `${LIVENESS_SERVICE_NAME}-${suffix as string}`;
  return { serviceId, checkId: `${serviceId}:ttl` };
}

/** A logger keeping every warning (message and context). */
function recordingLogger(): ConsulLogger & { warnings: Array<[string, unknown]> } {
  const warnings: Array<[string, unknown]> = [];
  return {
    ...silentLogger,
    warn: (message, context) => warnings.push([message, context]),
    warnings,
  };
}

describe('leader election with its liveness check (default)', () => {
  const fx = useAgent();

  it('binds the session to a passing check of its own consulkit-session service, removed on stop()', async () => {
    const consul = fx.client();
    const election = consul.leader('liveness/basic', { ttl: '10s', lockDelay: '0s' }).start();
    await waitFor(() => election.isLeader, { timeout: 5_000 });
    const held = election.leadership as HeldLock;
    const session = await consul.session.info(held.session);
    const { serviceId, checkId } = livenessIds(session?.name as string);

    // The session names the check, and keeps Consul's default node check.
    expect(session?.serviceChecks.map((c) => c.id)).toEqual([checkId]);
    expect(session?.nodeChecks).toEqual(['serfHealth']);
    // The service is on the local agent, says which session and process it belongs to...
    const service = await consul.agent.service(serviceId);
    expect(service).toMatchObject({ service: LIVENESS_SERVICE_NAME, id: serviceId });
    expect(service?.meta).toMatchObject({
      session: session?.name,
      pid: String(process.pid),
    });
    // ...and its TTL check (a tenth shorter than the session's) is passing, in the catalog too.
    const checks = await consul.health.checks(LIVENESS_SERVICE_NAME);
    expect(checks.find((c) => c.checkId === checkId)).toMatchObject({
      status: 'passing',
      serviceId,
      type: 'ttl',
    });

    await election.stop();
    expect(await consul.agent.service(serviceId)).toBeUndefined();
    expect(await consul.session.info(held.session)).toBeUndefined();
  });

  it('keeps the check passing past its TTL while leading (each renewal passes it)', async () => {
    const consul = fx.client();
    const election = consul.leader('liveness/renew', { ttl: '10s', lockDelay: '0s' }).start();
    await waitFor(() => election.isLeader, { timeout: 5_000 });
    const held = election.leadership as HeldLock;
    const { checkId } = livenessIds((await consul.session.info(held.session))?.name as string);
    // Without a pass the 10 s check would be critical (and the session invalidated) by now.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    expect(election.isLeader).toBe(true);
    expect(held.signal.aborted).toBe(false);
    expect((await consul.agent.checks())[checkId]?.status).toBe('passing');
    await election.stop();
  }, 30_000);

  it('loses leadership when its liveness service is deregistered behind its back, and campaigns again', async () => {
    const consul = fx.client({ logger: silentLogger });
    const election = consul.leader('liveness/gone', { ttl: '10s', lockDelay: '0s' }).start();
    const revoked: string[] = [];
    election.on('revoked', (err) => revoked.push(err.reason));
    await waitFor(() => election.isLeader, { timeout: 5_000 });
    const first = election.leadership as HeldLock;
    const { serviceId } = livenessIds((await consul.session.info(first.session))?.name as string);
    await consul.agent.service.deregister(serviceId);
    // Consul invalidates a session whose bound check is deregistered.
    await waitFor(() => first.signal.aborted, { timeout: 5_000, interval: 20 });
    expect(revoked[0]).toBe('session-invalidated');
    await waitFor(() => election.leadership?.session !== undefined, { timeout: 10_000 });
    expect(election.leadership?.session).not.toBe(first.session);
    await election.stop();
  });

  it('is on for elections made through a ResourceScope (the adapters), off for plain locks', async () => {
    const consul = fx.client();
    const scope = new ResourceScope(consul);
    const election = scope.leader('liveness/scope', { lockDelay: '0s' }).start();
    await waitFor(() => election.isLeader, { timeout: 5_000 });
    const bound = await consul.session.info(election.leadership?.session as string);
    expect(bound?.serviceChecks.map((c) => c.id)).toEqual([
      livenessIds(bound?.name as string).checkId,
    ]);
    await scope.close();
    expect(election.isLeader).toBe(false);

    const held = await consul.lock('liveness/plain-lock', { lockDelay: '0s' }).acquire();
    expect((await consul.session.info(held.session))?.serviceChecks).toEqual([]);
    await held.release();
  });

  it('can be turned off', async () => {
    const consul = fx.client();
    const election = consul
      .leader('liveness/off', { lockDelay: '0s', livenessCheck: false })
      .start();
    await waitFor(() => election.isLeader, { timeout: 5_000 });
    const session = await consul.session.info(election.leadership?.session as string);
    expect(session?.serviceChecks).toEqual([]);
    expect(await consul.agent.service(livenessIds(session?.name as string).serviceId)).toBe(
      undefined,
    );
    await election.stop();
  });

  it('validates livenessCheck before sending anything', async () => {
    const offline = new Consul({ address: 'http://127.0.0.1:1', logger: silentLogger });
    try {
      const bad = 'yes' as unknown as boolean;
      const namesLivenessCheck: Error = expect.objectContaining({ option: 'livenessCheck' });
      expect(() => offline.leader('k', { livenessCheck: bad })).toThrow(ConsulOptionError);
      expect(() => offline.leader('k', { livenessCheck: bad })).toThrow(namesLivenessCheck);
      expect(() => offline.lock('k', { livenessCheck: bad })).toThrow(ConsulOptionError);
      expect(() => offline.lock('k', { livenessCheck: bad })).toThrow(namesLivenessCheck);
      await expect(offline.session.renewing({ livenessCheck: bad })).rejects.toMatchObject({
        option: 'livenessCheck',
        message: expect.stringContaining('a boolean') as unknown,
      });
      // The check lives on the local agent's node: a session of another node cannot bind it.
      await expect(
        offline.session.renewing({ livenessCheck: true, node: 'elsewhere' }),
      ).rejects.toMatchObject({ option: 'livenessCheck' });
      await expect(
        offline.withLock('k', () => 1, { livenessCheck: 1 as unknown as boolean }),
      ).rejects.toMatchObject({ option: 'livenessCheck' });
    } finally {
      await offline.close();
    }
  });
});

describe('leader election when the token may not register the liveness service', () => {
  const fx = useAgent({ acl: true });

  /** A token allowed sessions and keys under `prefix`, but no `service:write`. */
  async function tokenWithoutServiceWrite(prefix: string): Promise<string> {
    const admin = fx.client();
    const name = `no-service-write-${Math.random().toString(16).slice(2, 10)}`;
    await admin.transport.send({
      method: 'PUT',
      path: '/v1/acl/policy',
      json: {
        Name: name,
        Rules: `session_prefix "" { policy = "write" }\nkey_prefix "${prefix}" { policy = "write" }`,
      },
    });
    const res = await admin.transport.send({
      method: 'PUT',
      path: '/v1/acl/token',
      json: { Policies: [{ Name: name }] },
    });
    return (JSON.parse(res.text) as { SecretID: string }).SecretID;
  }

  it('is still elected (unbound session) and warns once, without the token', async () => {
    const token = await tokenWithoutServiceWrite('acl-liveness/');
    const logger = recordingLogger();
    const consul = fx.client({ token, env: {}, logger });
    // The token really lacks service:write.
    await expect(
      consul.agent.service.register({ name: LIVENESS_SERVICE_NAME }),
    ).rejects.toMatchObject({ code: 'CONSUL_ACL' });

    const election = consul.leader('acl-liveness/leader', { lockDelay: '0s' }).start();
    await waitFor(() => election.isLeader, { timeout: 10_000 });
    const session = await consul.session.info(election.leadership?.session as string);
    expect(session?.serviceChecks).toEqual([]);
    expect(session?.nodeChecks).toEqual(['serfHealth']);

    const fallback = logger.warnings.filter(([message]) => message.includes('liveness check'));
    expect(fallback).toHaveLength(1);
    expect(fallback[0]?.[0]).toContain('2×TTL');
    expect(JSON.stringify(logger.warnings)).not.toContain(token);

    // A second campaign (after a resignation) falls back again, without a second warning.
    const first = election.leadership?.session;
    await election.resign();
    await waitFor(() => election.isLeader && election.leadership?.session !== first, {
      timeout: 10_000,
    });
    expect(logger.warnings.filter(([m]) => m.includes('liveness check'))).toHaveLength(1);
    await election.stop();
  }, 30_000);
});
