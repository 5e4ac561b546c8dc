import { type AddressInfo } from 'node:net';
import { createAppApi, openClient, ServiceLifecycle } from '@consulkit/core/adapter';
import { type FastifyInstance } from 'fastify';
import { FastifyConsulAlreadyRegisteredError } from './errors';
import { addHealthRoute } from './health-route';
import { pinoConsulLogger } from './logger';
import { type FastifyConsulOptions, resolvePluginOptions } from './plugin-options';
import { closeOnSignals } from './signals';

/**
 * The plugin body: validate → create or adopt the client → decorate `app.consul` → health route →
 * hooks. Core's `ServiceLifecycle` does the work; Fastify's hooks say when: `onReady` probe with
 * `failFast`, `onListen` register, `preClose` drain, `onClose` close.
 */
export async function fastifyConsulPlugin(
  app: FastifyInstance,
  rawOptions: FastifyConsulOptions,
): Promise<void> {
  if (app.hasDecorator('consul')) throw new FastifyConsulAlreadyRegisteredError();
  const options = resolvePluginOptions(rawOptions);
  const logger = pinoConsulLogger(app.log);
  const client = openClient(options.client, logger);
  const life = new ServiceLifecycle({
    options,
    client,
    logger,
    // Consul probes the route where it is served: under the prefix of the plugin's context.
    healthRoute:
      options.healthRoute === false ? false : joinPrefix(app.prefix, options.healthRoute),
    source: '@consulkit/fastify',
    addCheck: 'app.consul.addCheck',
    closeReason: 'The Fastify app is closing',
  });

  app.decorate('consul', createAppApi(life));
  if (options.healthRoute !== false) {
    const name = options.service ? options.service.name : undefined;
    addHealthRoute(app, options.healthRoute, life.checks, name);
  }

  // With failFast, startup fails (and so does listen, which waits for ready) when the agent is
  // unreachable.
  app.addHook('onReady', () => life.probe());

  if (options.service) {
    app.addHook('onListen', async () => {
      const bound = app.server.address();
      const info = typeof bound === 'object' && bound !== null ? (bound as AddressInfo) : undefined;
      await life.listen({ address: info?.address, port: info?.port });
    });
    app.addHook('preClose', () => life.drain());
  }

  let removeSignals: (() => void) | undefined;
  if (options.signals.length > 0) {
    removeSignals = closeOnSignals(app, options.signals, {
      onSignal: (signal) => app.log.info({ signal }, 'Closing the app gracefully'),
      beforeClose: () => life.drain(),
      onError: (err) => app.log.error({ err }, 'Error while closing the app'),
    });
  }

  app.addHook('onClose', async () => {
    removeSignals?.();
    await life.close();
  });
}

function joinPrefix(prefix: string, path: string): string {
  return prefix === '' || prefix === '/' ? path : `${prefix.replace(/\/$/, '')}${path}`;
}
