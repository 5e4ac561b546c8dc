import {
  type HealthCheckFunction,
  type HealthCheckResult,
  type HealthSummary as CoreHealthSummary,
} from '@consulkit/core/adapter';
import { type HealthReport, type HealthStatus } from '@consulkit/core';
import fp from 'fastify-plugin';
import { type FastifyConsul as FastifyConsulType } from './decoration';
import { FastifyConsulAlreadyRegisteredError as AlreadyRegisteredError } from './errors';
import { type HealthRouteBody as HealthRouteBodyType } from './health-route';
import {
  type FastifyConsulCheckOptions as CheckOptionsType,
  type FastifyConsulOptions as OptionsType,
  type FastifyConsulServiceOptions as ServiceOptionsType,
} from './plugin-options';
import { fastifyConsulPlugin } from './plugin';
import './augmentation';

/** The plugin function, carrying its other export names (CommonJS `module.exports` shape). */
type FastifyConsulPlugin = typeof fastifyConsulPlugin & {
  /** The plugin itself, for `import fastifyConsul from` under any interop setting. */
  default: FastifyConsulPlugin;
  /** The plugin itself, as a named export. */
  fastifyConsul: FastifyConsulPlugin;
  /** Error thrown when the plugin is registered twice on one app. */
  FastifyConsulAlreadyRegisteredError: typeof AlreadyRegisteredError;
};

/**
 * `@consulkit/fastify`: makes a Fastify 5 app a Consul citizen. Registers the service once the
 * server really listens (bound address and port), drains and deregisters on close, and decorates
 * `app.consul` with the client and recipes bound to the app's lifetime.
 *
 * @example
 * import Fastify from 'fastify';
 * import fastifyConsul from '@consulkit/fastify';
 * const app = Fastify({ logger: true });
 * await app.register(fastifyConsul, { service: { name: 'web' } });
 * await app.listen({ port: 0, host: '127.0.0.1' });
 */
const fastifyConsul = fp(fastifyConsulPlugin, {
  fastify: '5.x',
  name: '@consulkit/fastify',
}) as FastifyConsulPlugin;
fastifyConsul.default = fastifyConsul;
fastifyConsul.fastifyConsul = fastifyConsul;
fastifyConsul.FastifyConsulAlreadyRegisteredError = AlreadyRegisteredError;

// Type-only namespace merged with the plugin: `import { type FastifyConsulOptions } from ...`.
// eslint-disable-next-line @typescript-eslint/no-namespace
declare namespace fastifyConsul {
  /** Options of the plugin. */
  export type FastifyConsulOptions = OptionsType;
  /** The service the app registers. */
  export type FastifyConsulServiceOptions = ServiceOptionsType;
  /** The HTTP check on the health route. */
  export type FastifyConsulCheckOptions = CheckOptionsType;
  /** The `app.consul` decoration. */
  export type FastifyConsul = FastifyConsulType;
  /** A function added with `app.consul.addCheck`. */
  export type CheckFunction = HealthCheckFunction;
  /** What a check function returns. */
  export type CheckResult = HealthCheckResult;
  /** A check's status with an output. */
  export type CheckReport = HealthReport;
  /** `passing`, `warning` or `critical`. */
  export type CheckStatus = HealthStatus;
  /** The outcome of one check. */
  export type CheckOutcome = HealthReport;
  /** The outcome of every check. */
  export type HealthSummary = CoreHealthSummary;
  /** Body of the health route. */
  export type HealthRouteBody = HealthRouteBodyType;
}

export = fastifyConsul;
// Written to `exports` as well so that Node's CJS lexer lists these names for native ESM
// `import { fastifyConsul } from '@consulkit/fastify'` (module.exports is replaced just below).
exports.default = fastifyConsul;
exports.fastifyConsul = fastifyConsul;
exports.FastifyConsulAlreadyRegisteredError = AlreadyRegisteredError;
