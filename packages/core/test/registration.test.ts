import diagnosticsChannel from 'node:diagnostics_channel';
import {
  Consul,
  ConsulOptionError,
  ConsulTimeoutError,
  DIAGNOSTIC_CHANNELS,
  type HealthReport,
  type Registration,
  type RegistrationEvent,
  type RegistrationMessage,
  silentLogger,
} from '../src';
import { checkStatus, passingIds, settlesWithin, uniqueName, waitFor } from '@consulkit/testing';
import { useAgent } from './support/agent';
import { closeAll, startHealthServer, startTcpServer } from './support/registration';

jest.setTimeout(30_000);

describe('consul.register', () => {
  const fx = useAgent();
  const client = () => fx.client({ logger: silentLogger });
  const registrations: Registration[] = [];
  const track = (r: Registration) => {
    registrations.push(r);
    return r;
  };

  afterEach(async () => {
    await Promise.allSettled(registrations.splice(0).map((r) => r.deregister({ timeout: '2s' })));
    await closeAll();
  });

  it('registers an HTTP-checked service that shows passing in health?passing', async () => {
    const consul = client();
    const server = await startHealthServer();
    const name = uniqueName('http');
    const reg = track(
      consul.register({
        name,
        port: server.port,
        address: '127.0.0.1',
        tags: ['v1'],
        meta: { version: '1.0' },
        weights: { passing: 3, warning: 1 },
        check: { http: '/health', interval: '1s' },
      }),
    );
    const events: RegistrationEvent[] = [];
    reg.on('registered', (e) => events.push(e));
    await reg.registered;
    expect(reg.status).toBe('registered');
    expect(reg.id).toMatch(new RegExp(`^${name}-.+-${server.port}-[0-9a-f]{8}$`));
    expect(events).toEqual([{ id: reg.id, name }]);
    await waitFor(
      () => passingIds(consul, name),
      (ids) => ids.includes(reg.id),
    );

    const [entry] = await consul.health.service(name, { passing: true });
    expect(entry?.service).toMatchObject({
      address: '127.0.0.1',
      port: server.port,
      tags: ['v1'],
      meta: { version: '1.0' },
      weights: { passing: 3, warning: 1 },
    });
    const check = entry?.checks.find((c) => c.checkId === `${reg.id}:http`);
    expect(check?.type).toBe('http');
  });

  it('registers several checks under explicit, stable check IDs', async () => {
    const consul = client();
    const http = await startHealthServer();
    const tcp = await startTcpServer();
    const name = uniqueName('multi');
    const reg = track(
      consul.register({
        name,
        id: `${name}-1`,
        port: http.port,
        address: '127.0.0.1',
        checks: [
          { http: '/health', interval: '1s' },
          { tcp: `127.0.0.1:${tcp.port}`, interval: '1s', checkId: `${name}-tcp` },
          { ttl: '5s' },
        ],
      }),
    );
    await reg.registered;
    expect(reg.checkIds).toEqual([`${name}-1:http`, `${name}-tcp`, `${name}-1:ttl`]);
    const checks = await consul.agent.checks();
    expect(
      Object.keys(checks)
        .filter((id) => id.startsWith(name))
        .sort(),
    ).toEqual([...reg.checkIds].sort());
    const self = await consul.agent.checks({ filter: `ServiceID == "${name}-1"` });
    expect(Object.keys(self)).toHaveLength(3);
    await waitFor(
      () => passingIds(consul, name),
      (ids) => ids.includes(reg.id),
    );
  });

  it('re-registers HTTP-, TCP- and TTL-checked services after an agent restart wiped them', async () => {
    const consul = client();
    const http = await startHealthServer();
    const tcp = await startTcpServer();
    const names = {
      http: uniqueName('rs-http'),
      tcp: uniqueName('rs-tcp'),
      ttl: uniqueName('rs-ttl'),
    };
    const regs = [
      consul.register({
        name: names.http,
        port: http.port,
        address: '127.0.0.1',
        check: { http: '/health', interval: '1s' },
      }),
      consul.register({
        name: names.tcp,
        port: tcp.port,
        address: '127.0.0.1',
        check: { tcp: true, interval: '1s' },
      }),
      consul.register({ name: names.ttl, port: 9, address: '127.0.0.1', check: { ttl: '10s' } }),
    ].map(track);
    const reasons: string[] = [];
    for (const r of regs) r.on('reregistered', (e) => reasons.push(`${e.name}:${e.reason}`));
    await Promise.all(regs.map((r) => r.registered));
    const allPassing = async () => {
      const lists = await Promise.all(Object.values(names).map((n) => passingIds(consul, n)));
      return lists.every((ids, i) => ids.includes((regs[i] as Registration).id));
    };
    await waitFor(allPassing, Boolean);

    await fx.agent.restart();
    const restarted = Date.now();
    await waitFor(allPassing, Boolean, { timeout: 5_000 });
    const backAfterMs = Date.now() - restarted;
    console.log(
      `registration: all three instances passing again ${backAfterMs} ms after the agent restart`,
    );
    // HTTP and TCP checks never heartbeat: only the reconciler can have noticed those. The TTL
    // instance may be caught by either detector first.
    expect(reasons).toContain(`${names.http}:service-missing`);
    expect(reasons).toContain(`${names.tcp}:service-missing`);
    expect(reasons.some((r) => r.startsWith(`${names.ttl}:`))).toBe(true);
    expect(regs.every((r) => r.status === 'registered')).toBe(true);
  }, 30_000);

  it('drives the TTL check from the health function, critical and back', async () => {
    const consul = client();
    let report: HealthReport = { status: 'passing', output: 'all good' };
    const name = uniqueName('ttl');
    const reg = track(
      consul.register(
        { name, port: 9, address: '127.0.0.1', check: { ttl: '3s' } },
        { health: () => report },
      ),
    );
    await reg.registered;
    const checkId = `${reg.id}:ttl`;
    await waitFor(
      () => checkStatus(consul, name, checkId),
      (s) => s === 'passing',
    );

    report = { status: 'critical', output: 'database unreachable' };
    await waitFor(
      () => checkStatus(consul, name, checkId),
      (s) => s === 'critical',
    );
    expect(await passingIds(consul, name)).toEqual([]);
    expect(reg.lastHealth).toEqual(report);

    report = { status: 'warning', output: 'slow' };
    reg.beatNow();
    await waitFor(
      () => checkStatus(consul, name, checkId),
      (s) => s === 'warning',
    );
    expect((await consul.agent.checks())[checkId]?.output).toBe('slow');
  });

  it('keeps a process-driven TTL check passing across several TTLs', async () => {
    const consul = client();
    const name = uniqueName('beat');
    const reg = track(
      consul.register({ name, port: 9, address: '127.0.0.1' }, { defaultTtl: '2s' }),
    );
    await reg.registered;
    await waitFor(
      () => passingIds(consul, name),
      (ids) => ids.includes(reg.id),
    );
    // Three TTLs later it must still pass: the heartbeat (every ~0.67 s) keeps it alive.
    await new Promise((r) => setTimeout(r, 6_000));
    expect(await passingIds(consul, name)).toEqual([reg.id]);
  }, 20_000);

  it('re-registers when the agent lost only the TTL check (1.8: 500 "does not have associated TTL")', async () => {
    const consul = client();
    const name = uniqueName('lost');
    const reg = track(
      consul.register(
        { name, port: 9, address: '127.0.0.1', check: { ttl: '3s' } },
        { reconcile: false },
      ),
    );
    await reg.registered;
    const reasons: string[] = [];
    reg.on('reregistered', (e) => reasons.push(e.reason as string));
    expect(await consul.agent.check.deregister(`${reg.id}:ttl`)).toBe(true);
    await waitFor(
      () => reasons,
      (r) => r.includes('check-lost'),
    );
    await waitFor(
      () => consul.agent.checks(),
      (checks) => `${reg.id}:ttl` in checks,
    );
    await waitFor(
      () => passingIds(consul, name),
      (ids) => ids.includes(reg.id),
    );
  });

  it('re-registers a service an operator deregistered behind its back', async () => {
    const consul = client();
    const server = await startHealthServer();
    const name = uniqueName('op');
    const reg = track(
      consul.register({
        name,
        port: server.port,
        address: '127.0.0.1',
        check: { http: '/health', interval: '1s' },
      }),
    );
    await reg.registered;
    const reasons: string[] = [];
    reg.on('reregistered', (e) => reasons.push(e.reason as string));
    await consul.agent.service.deregister(reg.id);
    await waitFor(
      () => reasons,
      (r) => r.includes('service-missing'),
    );
    expect(await consul.agent.service(reg.id)).toBeDefined();
  });

  it('maintenance takes the instance out of passing results and back', async () => {
    const consul = client();
    const server = await startHealthServer();
    const name = uniqueName('maint');
    const reg = track(
      consul.register({
        name,
        port: server.port,
        address: '127.0.0.1',
        check: { http: '/health', interval: '1s', status: 'passing' },
      }),
    );
    await reg.registered;
    await waitFor(
      () => passingIds(consul, name),
      (ids) => ids.includes(reg.id),
    );
    await reg.maintenance(true, 'draining for deploy');
    expect(reg.maintenanceEnabled).toBe(true);
    expect(await passingIds(consul, name)).toEqual([]);
    const checks = await consul.agent.checks();
    expect(checks[`_service_maintenance:${reg.id}`]).toMatchObject({
      status: 'critical',
      notes: 'draining for deploy',
    });
    await reg.maintenance(false);
    await waitFor(
      () => passingIds(consul, name),
      (ids) => ids.includes(reg.id),
    );
  });

  it('deregisters: gone from the agent and from health, with events and diagnostics', async () => {
    const consul = client();
    const name = uniqueName('dereg');
    const messages: Array<[string, RegistrationMessage]> = [];
    const channels = [
      DIAGNOSTIC_CHANNELS.registrationRegistered,
      DIAGNOSTIC_CHANNELS.registrationDeregistered,
    ];
    const listeners = channels.map((channel) => {
      const listener = (m: unknown) => {
        messages.push([channel, m as RegistrationMessage]);
      };
      diagnosticsChannel.subscribe(channel, listener);
      return listener;
    });
    try {
      const reg = consul.register({ name, port: 9, address: '127.0.0.1' });
      await reg.registered;
      await waitFor(
        () => passingIds(consul, name),
        (ids) => ids.includes(reg.id),
      );
      const deregistered = jest.fn();
      reg.on('deregistered', deregistered);
      await reg.deregister();
      expect(reg.status).toBe('deregistered');
      expect(deregistered).toHaveBeenCalledWith({ id: reg.id, name });
      expect(await consul.agent.service(reg.id)).toBeUndefined();
      await waitFor(
        () => consul.health.service(name),
        (entries) => entries.length === 0,
      );
      await reg.deregister(); // idempotent
      const mine = messages.filter(([, m]) => m.id === reg.id);
      expect(mine).toEqual([
        [channels[0], { id: reg.id, name, address: '127.0.0.1', port: 9 }],
        [channels[1], { id: reg.id, name, address: '127.0.0.1', port: 9 }],
      ]);
    } finally {
      channels.forEach((c, i) =>
        diagnosticsChannel.unsubscribe(c, listeners[i] as (m: unknown) => void),
      );
    }
  });

  it('deregisters when the client closes', async () => {
    const consul = fx.client({ logger: silentLogger });
    const observer = client();
    const name = uniqueName('close');
    const reg = consul.register({ name, port: 9, address: '127.0.0.1' });
    await reg.registered;
    expect(await observer.agent.service(reg.id)).toBeDefined();
    await consul.close();
    expect(reg.status).toBe('deregistered');
    expect(await observer.agent.service(reg.id)).toBeUndefined();
  });

  it('drops TLSServerName for a 1.8 agent instead of failing the registration', async () => {
    const warnings: string[] = [];
    const consul = fx.client({
      logger: { ...silentLogger, warn: (m: string) => warnings.push(m) },
    });
    const name = uniqueName('gated');
    const reg = track(
      consul.register({
        name,
        port: 9,
        address: '127.0.0.1',
        checks: [
          { ttl: '10s' },
          { http: 'https://127.0.0.1:9/health', interval: '10s', tlsServerName: 'web.internal' },
        ],
      }),
    );
    await reg.registered;
    expect(await consul.agent.service(reg.id)).toBeDefined();
    expect(warnings.some((w) => w.includes('service.checks[1].tlsServerName'))).toBe(
      fx.agent.version.startsWith('1.8') || fx.agent.version.startsWith('1.9'),
    );
  });

  it('rejects bad definitions with typed errors naming the field, before sending anything', () => {
    // Nothing listens on port 1: any request would fail differently (and asynchronously).
    const consul = new Consul({ address: 'http://127.0.0.1:1', logger: silentLogger });
    const cases: Array<[unknown, string]> = [
      [{ name: 'bad name', port: 80 }, 'service.name'],
      [{ name: 'web', port: 0 }, 'service.port'],
      [
        { name: 'web', port: 80, check: { http: '/h', interval: '5 seconds' } },
        'service.check.interval',
      ],
      [
        { name: 'web', port: 80, checks: [{ ttl: '5s' }, { http: '/h' }] },
        'service.checks[1].interval',
      ],
      [{ name: 'web', port: 80, checks: [{ script: 'x' }] }, 'service.checks[0]'],
    ];
    for (const [definition, field] of cases) {
      let error: unknown;
      try {
        consul.register(definition as never);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConsulOptionError);
      expect((error as ConsulOptionError).option).toBe(field);
    }
    expect(() => consul.register({ name: 'web', port: 80 }, { health: 5 as never })).toThrow(
      expect.objectContaining({ option: 'options.health' }),
    );
    return consul.close();
  });

  it('deregister({ timeout }) never hangs while the agent is down', async () => {
    const consul = client();
    const name = uniqueName('down');
    const reg = consul.register({ name, port: 9, address: '127.0.0.1' });
    await reg.registered;
    await fx.agent.kill();
    try {
      const outcome = reg.deregister({ timeout: '1s' });
      expect(await settlesWithin(outcome, 10_000)).toBe('settled');
      await expect(outcome).rejects.toBeInstanceOf(ConsulTimeoutError);
      expect(reg.status).toBe('failed');
    } finally {
      await fx.agent.restart();
    }
  });
});

describe('consul.register when the agent refuses or is unreachable', () => {
  const acl = useAgent({ acl: true });

  it('rejects `registered` and settles in `failed` when the ACL token lacks permission', async () => {
    const consul = acl.client({ token: undefined, logger: silentLogger });
    const reg = consul.register({ name: uniqueName('denied'), port: 9, address: '127.0.0.1' });
    const errors: Error[] = [];
    reg.on('error', (e) => errors.push(e));
    await expect(reg.registered).rejects.toMatchObject({ code: 'CONSUL_ACL', status: 403 });
    expect(reg.status).toBe('failed');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).not.toContain(acl.agent.token as string);
  });

  it('registers through the token and deregisters an unknown ID as done (1.8 with ACLs: 500)', async () => {
    const consul = acl.client({ logger: silentLogger });
    const reg = consul.register({ name: uniqueName('acl'), port: 9, address: '127.0.0.1' });
    await reg.registered;
    await consul.agent.service.deregister(reg.id); // gone behind its back...
    await reg.deregister(); // ...and deregistering again still counts as done
    expect(reg.status).toBe('deregistered');
  });

  it('keeps retrying without crashing while no agent answers, and deregister stays bounded', async () => {
    const consul = new Consul({ address: 'http://127.0.0.1:1', logger: silentLogger });
    try {
      const reg = consul.register({ name: 'lonely', port: 9, address: '127.0.0.1' });
      const errors: Error[] = [];
      reg.on('error', (e) => errors.push(e));
      await waitFor(
        () => errors.length,
        (n) => n >= 1,
      );
      expect(reg.status).toBe('registering');
      expect(errors[0]).toMatchObject({ code: 'CONSUL_UNAVAILABLE' });
      const outcome = reg.deregister({ timeout: '500ms' });
      expect(await settlesWithin(outcome, 10_000)).toBe('settled');
      await expect(outcome).rejects.toBeInstanceOf(ConsulTimeoutError);
      await expect(reg.registered).rejects.toMatchObject({ code: 'CONSUL_CLOSED' });
    } finally {
      await consul.close();
    }
  });
});
