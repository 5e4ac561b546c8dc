import { type AddressInfo } from 'node:net';
import { type Server } from 'node:http';
import { ConsulClosedError } from '@consulkit/core';
import { ConsulModule, ConsulService } from '../src';
import {
  closeApp,
  closeApps,
  createApp,
  PLATFORMS,
  startApp,
  uniqueName,
  useAgent,
  waitFor,
} from './support/helpers';

describe.each(PLATFORMS)('ConsulService on %s with a real agent', (_platform, adapter) => {
  const fx = useAgent();
  afterEach(closeApps);

  function consulModule(service: { name: string } | false = false) {
    return ConsulModule.forRoot({
      consul: { address: fx.agent.address },
      service,
      drain: '10ms',
    });
  }

  it('registers when the server is started outside app.listen (its listening event)', async () => {
    const name = uniqueName('web');
    const app = await createApp({ imports: [consulModule({ name })] }, adapter);
    await app.init();
    const server = app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const consul = fx.client();
    const [entry] = await waitFor(
      () => consul.health.service(name),
      (list) => list.length === 1,
    );
    expect(entry?.service.port).toBe(port);
    expect(entry?.service.address).toBe('127.0.0.1');
  });

  it('drain() deregisters now, while the app keeps serving; close() then skips it', async () => {
    const name = uniqueName('web');
    const app = await startApp({ imports: [consulModule({ name })] }, adapter);
    const consul = fx.client();
    await waitFor(
      () => consul.health.service(name, { passing: true }),
      (list) => list.length === 1,
    );
    await app.get(ConsulService).drain();
    expect(await consul.catalog.service(name)).toHaveLength(0);
    const server = app.getHttpServer() as Server;
    expect(server.listening).toBe(true);
    await closeApp(app);
    expect(await consul.catalog.service(name)).toHaveLength(0);
  });

  it('gives config stores, locks, semaphores and elections bound to the app, all ended on shutdown', async () => {
    const consul = fx.client();
    const prefix = `${uniqueName('config/app')}/`;
    await consul.kv.put(`${prefix}timeout`, '2s');
    const app = await startApp({ imports: [consulModule()] }, adapter);
    const service = app.get(ConsulService);

    const store = service.config({ prefix, keys: { timeout: { parse: 'duration' } } });
    await store.ready();
    expect(store.get('timeout')).toBe(2_000);

    const lockKey = uniqueName('locks/nest');
    const held = await service.lock(lockKey).acquire({ timeout: '5s' });
    expect((await consul.kv.get(lockKey))?.session).toBe(held.session);

    const semPrefix = uniqueName('semaphores/nest');
    const slot = await service
      .semaphore(semPrefix, 2, { livenessCheck: true })
      .acquire({ timeout: '5s' });
    expect((await consul.kv.get(`${semPrefix}/${slot.session}`))?.session).toBe(slot.session);

    const election = service.leader(uniqueName('leaders/nest')).start();
    await waitFor(
      () => election.isLeader,
      (leader) => leader,
    );

    await closeApp(app);
    expect(store.closed).toBe(true);
    expect(held.signal.aborted).toBe(true);
    expect((await consul.kv.get(lockKey))?.session).toBeFalsy();
    expect(slot.signal.aborted).toBe(true);
    expect(await consul.kv.get(`${semPrefix}/${slot.session}`)).toBeUndefined();
    expect(election.running).toBe(false);
    expect(() => service.lock('x')).toThrow(ConsulClosedError);
    expect(() => service.semaphore('x', 1)).toThrow(ConsulClosedError);
  });
});
