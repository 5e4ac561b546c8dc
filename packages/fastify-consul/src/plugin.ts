import { type AddressInfo } from 'node:net';
import { Consul, ConsulConfigError, type ConsulOptions, planRegistration } from '@consulkit/core';
import { type FastifyInstance } from 'fastify';
import { CheckRegistry } from './checks';
import { createDecoration } from './decoration';
import { FastifyConsulAlreadyRegisteredError, prefixOption } from './errors';
import { addHealthRoute } from './health-route';
import { ServiceLifecycle } from './lifecycle';
import { pinoConsulLogger } from './logger';
import { type FastifyConsulOptions, type NormalisedOptions, normaliseOptions } from './options';
import { OwnedResources } from './resources';
import { registrationDefinition, registrationOptions } from './service-definition';
import { closeOnSignals } from './signals';

/**
 * The plugin body: validate → create or adopt the client → decorate `app.consul` → health route →
 * hooks (`onReady` probe with `failFast`, `onListen` register, `preClose` drain, `onClose` close).
 */
export async function fastifyConsulPlugin(
  app: FastifyInstance,
  rawOptions: FastifyConsulOptions,
): Promise<void> {
  if (app.hasDecorator('consul')) throw new FastifyConsulAlreadyRegisteredError();
  const options = normaliseOptions(rawOptions);
  const healthPath =
    options.healthRoute === false ? false : joinPrefix(app.prefix, options.healthRoute);
  if (options.service) validateService(options, healthPath);

  const source = options.client;
  const client = source.owned ? createClient(source.options, app) : source.client;
  const checks = new CheckRegistry(options.checkTimeoutMs);
  const resources = new OwnedResources();
  const lifecycle = options.service
    ? new ServiceLifecycle(
        client,
        {
          service: options.service,
          healthRoute: healthPath,
          ttl: options.ttl,
          drainMs: options.drainMs,
          deregisterTimeoutMs: options.deregisterTimeoutMs,
        },
        checks,
        app.log,
      )
    : undefined;

  const drain = () => lifecycle?.drain() ?? Promise.resolve();
  app.decorate(
    'consul',
    createDecoration(client, checks, resources, () => lifecycle?.current, drain),
  );
  if (options.healthRoute !== false) {
    addHealthRoute(
      app,
      options.healthRoute,
      checks,
      options.service ? options.service.name : undefined,
    );
  }

  if (options.failFast) {
    // Startup fails (and so does listen, which waits for ready) when the agent is unreachable.
    app.addHook('onReady', async () => {
      await client.status.leader();
    });
  }

  if (lifecycle) {
    app.addHook('onListen', async () => {
      const bound = app.server.address();
      const info = typeof bound === 'object' && bound !== null ? (bound as AddressInfo) : undefined;
      try {
        await lifecycle.start({ address: info?.address, port: info?.port });
      } catch (err) {
        app.log.error({ err }, 'Could not register with Consul');
      }
    });
    app.addHook('preClose', async () => {
      await lifecycle.drain();
    });
  }

  let removeSignals: (() => void) | undefined;
  if (options.signals.length > 0) {
    removeSignals = closeOnSignals(app, options.signals, {
      onSignal: (signal) => app.log.info({ signal }, 'Closing the app gracefully'),
      beforeClose: drain,
      onError: (err) => app.log.error({ err }, 'Error while closing the app'),
    });
  }

  app.addHook('onClose', async () => {
    removeSignals?.();
    lifecycle?.stop();
    await resources.closeAll(options.deregisterTimeoutMs, (err) =>
      app.log.warn({ err }, 'Error while closing a Consul resource of the app'),
    );
    if (source.owned) await client.close();
  });
}

/** The client the plugin owns: logs through `app.log` unless the options bring a logger. */
function createClient(options: ConsulOptions, app: FastifyInstance): Consul {
  try {
    return new Consul({ logger: pinoConsulLogger(app.log), ...options });
  } catch (err) {
    throw prefixOption(err, 'consul');
  }
}

/**
 * Runs core's registration planner on the options with a placeholder port, so that a bad field
 * fails `ready()` (naming it) instead of surfacing only at `listen`.
 */
function validateService(options: NormalisedOptions, healthPath: string | false): void {
  const service = options.service;
  if (!service) return;
  const definition = registrationDefinition(service, {
    healthRoute: healthPath,
    ttl: options.ttl,
    boundAddress: undefined,
    boundPort: service.port ?? 1,
  });
  try {
    planRegistration(definition, registrationOptions(service, undefined));
  } catch (err) {
    // Core names its registration option bare; here it is `service.deregisterCriticalServiceAfter`.
    throw err instanceof ConsulConfigError && err.option === 'deregisterCriticalServiceAfter'
      ? prefixOption(err, 'service')
      : err;
  }
}

function joinPrefix(prefix: string, path: string): string {
  return prefix === '' || prefix === '/' ? path : `${prefix.replace(/\/$/, '')}${path}`;
}
