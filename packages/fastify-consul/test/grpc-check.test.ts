import { Server, ServerCredentials } from '@grpc/grpc-js';
import { catalogIds, checkStatus, passingIds } from '@consulkit/testing';
import { HealthImplementation } from 'grpc-health-check';
import fastifyConsul from '../src';
import { boundPort, closeApps, makeApp, uniqueName, useAgent, waitFor } from './support/helpers';

jest.setTimeout(60_000);

/**
 * An app whose instance is also checked over gRPC (a `service.checks` entry): the agent probes a
 * real `grpc.health.v1` server beside the app's HTTP health route, and either check failing takes
 * the instance out of `?passing`.
 */
describe('service.checks with a gRPC check, on a real agent', () => {
  const fx = useAgent();
  let grpc: Server | undefined;
  afterEach(async () => {
    await closeApps();
    grpc?.forceShutdown();
    grpc = undefined;
  });

  it('is registered beside the health-route check and follows SERVING / NOT_SERVING', async () => {
    const consul = fx.client();
    const health = new HealthImplementation({ '': 'SERVING' });
    grpc = new Server();
    health.addToServer(grpc);
    const server = grpc;
    const grpcPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(err) : resolve(bound),
      ),
    );
    const name = uniqueName('fastify-grpc');
    const grpcCheck = `${name}-grpc`;
    const { app } = makeApp();
    await app.register(fastifyConsul, {
      consul: { address: fx.agent.address },
      service: {
        name,
        check: { interval: '1s' },
        checks: [{ checkId: grpcCheck, grpc: `127.0.0.1:${grpcPort}`, interval: '1s' }],
      },
      drain: 0,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const settle = { timeout: 20_000, interval: 200 };

    const [id] = await waitFor(
      () => passingIds(consul, name),
      (ids) => ids.length === 1,
      settle,
    );
    const [entry] = await consul.health.service(name);
    expect(entry?.service.port).toBe(boundPort(app));
    expect(entry?.checks.find((c) => c.checkId === grpcCheck)).toMatchObject({
      type: 'grpc',
      status: 'passing',
    });

    health.setStatus('', 'NOT_SERVING');
    await waitFor(
      () => checkStatus(consul, name, grpcCheck),
      (s) => s === 'critical',
      settle,
    );
    expect(await passingIds(consul, name)).toEqual([]);
    health.setStatus('', 'SERVING');
    await waitFor(
      () => passingIds(consul, name),
      (ids) => ids.includes(id as string),
      settle,
    );

    await app.close();
    expect(await catalogIds(consul, name)).toEqual([]);
  });
});
