import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { ConsulOptionError, type Registration, type ServiceClient } from '@consulkit/core';
import { Inject, Injectable, Module } from '@nestjs/common';
import { ConsulModule, ConsulService, getServiceClientToken, InjectServiceClient } from '../src';
import { closeApp, closeApps, PLATFORMS, startApp, useAgent } from './support/helpers';

/** The idiomatic consumer: declared by the feature module that imports `forFeature`. */
@Injectable()
class FeatureConsumer {
  constructor(@InjectServiceClient('b') readonly b: ServiceClient) {}
}

@Module({
  imports: [ConsulModule.forFeature({ services: [{ name: 'b', options: { retries: 0 } }] })],
  providers: [FeatureConsumer],
  exports: [FeatureConsumer],
})
class BFeatureModule {}

/** A second feature declaring the same service with other options (a conflict). */
@Module({
  imports: [ConsulModule.forFeature({ services: [{ name: 'b', options: { retries: 3 } }] })],
})
class ConflictingBFeatureModule {}

/**
 * A feature on a service no `@InjectServiceClient` declares, so that a startup failing in it has
 * created no client of the root module's before.
 */
@Injectable()
class CConsumer {
  constructor(@Inject(getServiceClientToken('c')) readonly c: ServiceClient) {}
}

@Module({ imports: [ConsulModule.forFeature({ services: ['c'] })], providers: [CConsumer] })
class CFeatureModule {}

/** The contract form: `@InjectServiceClient` without any `forFeature`. */
@Injectable()
class DecoratorConsumer {
  constructor(@InjectServiceClient('b') readonly b: ServiceClient) {}
}

/** Injects the token with plain `@Inject` (no `@InjectServiceClient` in this class). */
@Injectable()
class PlainInjectConsumer {
  constructor(@Inject(getServiceClientToken('b')) readonly b: ServiceClient | null) {}
}

/** A real HTTP server answering with its own name. */
async function backend(id: string): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => res.end(id));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function answers(client: ServiceClient, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { body } = await client.get('/');
    ids.push(await body.text());
  }
  return ids.sort();
}

describe('ConsulModule.forFeature options', () => {
  it.each([
    [{ services: [''] }, 'ConsulModule.forFeature.services[0]'],
    [{ services: ['a', { name: 3 }] }, 'ConsulModule.forFeature.services[1].name'],
    [{ services: [{ name: 'a', retries: 1 }] }, 'ConsulModule.forFeature.services[0].retries'],
    [{ services: [{ name: 'a', options: 'fast' }] }, 'ConsulModule.forFeature.services[0].options'],
    [{ services: 'a' }, 'ConsulModule.forFeature.services'],
    [{ service: ['a'] }, 'ConsulModule.forFeature.service'],
  ])('rejects %j naming %s', (options, option) => {
    const call = () => ConsulModule.forFeature(options as never);
    expect(call).toThrow(ConsulOptionError);
    expect(call).toThrow(expect.objectContaining({ option }));
  });

  it('returns a module of its own that exports the client tokens', () => {
    const feature = ConsulModule.forFeature({ services: ['a', { name: 'b' }, 'a'] });
    expect(feature.module).not.toBe(ConsulModule);
    expect(feature.exports).toEqual([getServiceClientToken('a'), getServiceClientToken('b')]);
  });
});

describe.each(PLATFORMS)(
  'service clients per app on %s with a real agent',
  (_platform, adapter) => {
    const fx = useAgent();
    const servers: Server[] = [];
    const registrations: Registration[] = [];

    beforeAll(async () => {
      for (const id of ['b-1', 'b-2']) {
        const { server, port } = await backend(id);
        servers.push(server);
        const registration = fx.client().register({ name: 'b', id, port, address: '127.0.0.1' });
        registrations.push(registration);
        await registration.registered;
      }
    });
    afterAll(async () => {
      await Promise.allSettled(registrations.map((r) => r.deregister()));
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    });
    afterEach(closeApps);

    const root = (isGlobal = true) =>
      ConsulModule.forRoot({ isGlobal, consul: { address: fx.agent.address }, service: false });

    it('forFeature provides the app client of a service, with its options, to @InjectServiceClient and ConsulService', async () => {
      const app = await startApp({ imports: [root(), BFeatureModule] }, adapter);
      const consul = app.get(ConsulService);
      const injected = app.get(FeatureConsumer).b;
      expect(injected).toBe(consul.service('b'));
      // Built with the feature's options: the same options agree with the cache, others do not.
      expect(consul.service('b', { retries: 0 })).toBe(injected);
      expect(() => consul.service('b', { retries: 2 })).toThrow(
        expect.objectContaining({ option: 'service("b").options' }),
      );
      expect(await answers(injected, 4)).toEqual(['b-1', 'b-1', 'b-2', 'b-2']);
    });

    it('gives @InjectServiceClient without forFeature, in the same app, the feature client', async () => {
      const app = await startApp(
        { imports: [root(), BFeatureModule], providers: [DecoratorConsumer, PlainInjectConsumer] },
        adapter,
      );
      const feature = app.get(FeatureConsumer).b;
      expect(app.get(DecoratorConsumer).b).toBe(feature);
      expect(app.get(PlainInjectConsumer).b).toBe(feature);
    });

    it('fails startup naming forFeature when ConsulModule is not global', async () => {
      await expect(startApp({ imports: [root(false), CFeatureModule] }, adapter)).rejects.toThrow(
        expect.objectContaining({
          option: 'ConsulModule.forFeature.services[0]',
          message: expect.stringContaining('isGlobal: true') as unknown,
        }),
      );
    });

    it('fails startup naming both declarations when two features give a service other options', async () => {
      await expect(
        startApp({ imports: [root(), BFeatureModule, ConflictingBFeatureModule] }, adapter),
      ).rejects.toThrow(ConsulOptionError);
    });

    describe('two apps in one process', () => {
      it('have clients of their own: closing one app leaves the other working', async () => {
        const a = await startApp({ imports: [root()], providers: [DecoratorConsumer] }, adapter);
        const b = await startApp({ imports: [root()], providers: [DecoratorConsumer] }, adapter);
        const [clientA, clientB] = [a.get(DecoratorConsumer).b, b.get(DecoratorConsumer).b];
        expect(clientA).not.toBe(clientB);
        await closeApp(a);
        expect(clientA.closed).toBe(true);
        expect(clientB.closed).toBe(false);
        expect(await answers(clientB, 2)).toEqual(['b-1', 'b-2']);
      });

      it('resolve the token from their own graph: a plain @Inject or a factory gets a client, whatever other classes declared', async () => {
        // DecoratorConsumer (defined above) declared the token in the process; this app does not
        // use it, and injects the token by hand only.
        const app = await startApp(
          {
            imports: [root()],
            providers: [
              PlainInjectConsumer,
              {
                provide: 'B_BY_FACTORY',
                inject: [getServiceClientToken('b')],
                useFactory: (client: ServiceClient | null) => ({ client }),
              },
            ],
          },
          adapter,
        );
        const plain = app.get(PlainInjectConsumer).b;
        expect(plain).not.toBeNull();
        expect(app.get<{ client: ServiceClient | null }>('B_BY_FACTORY').client).toBe(plain);
        expect(await answers(plain as ServiceClient, 2)).toEqual(['b-1', 'b-2']);
      });

      it('create no client in an app without a consumer while another app has one', async () => {
        const withConsumer = await startApp(
          { imports: [root()], providers: [DecoratorConsumer] },
          adapter,
        );
        const without = await startApp({ imports: [root()] }, adapter);
        expect(withConsumer.get(getServiceClientToken('b'), { strict: false })).not.toBeNull();
        expect(without.get(getServiceClientToken('b'), { strict: false })).toBeNull();
      });

      it("do not share forFeature options: one app's feature leaves the other's client on defaults", async () => {
        const featured = await startApp({ imports: [root(), BFeatureModule] }, adapter);
        const plain = await startApp(
          { imports: [root()], providers: [DecoratorConsumer] },
          adapter,
        );
        expect(() => featured.get(ConsulService).service('b', { retries: 0 })).not.toThrow();
        expect(() => plain.get(ConsulService).service('b', { retries: 0 })).toThrow(
          expect.objectContaining({ option: 'service("b").options' }),
        );
        expect(plain.get(ConsulService).service('b', {})).toBe(plain.get(DecoratorConsumer).b);
      });
    });
  },
);
