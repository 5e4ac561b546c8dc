import { type Duration } from '../duration';
import { ConsulOptionError } from '../errors';
import { type HealthStatus } from '../models/check';
import { planRegistration } from '../registration/check-plan';
import {
  type HealthFunction,
  type RegistrationCheck,
  type RegistrationDefinition,
  type RegistrationOptions,
} from '../registration/types';
import { type ManagedServiceOptions } from './service-options';

/** What the registration needs to know besides the service options. */
export interface ServiceDefinitionContext {
  /** Health route path as served (a framework prefix included), or `false` when there is none. */
  healthRoute: string | false;
  /** TTL of the application-checks heartbeat check, if enabled. */
  ttl: Duration | undefined;
  /** Address the server bound (`server.address().address`). */
  boundAddress: string | undefined;
  /** Port the server bound. */
  boundPort: number | undefined;
  /** Verdict of the check functions right now: the initial status of the checks added here. */
  initialStatus?: HealthStatus;
  /** Notes of the TTL check, telling an operator where its status comes from. */
  ttlCheckNotes?: string;
}

/** Defaults of the HTTP check Consul runs against the health route. */
const HTTP_CHECK_INTERVAL = '10s';
const HTTP_CHECK_TIMEOUT = '5s';

/**
 * Builds what `consul.register(definition, options)` takes from an adapter's service options and
 * the address and port really bound: the service fields, then the user's own checks, the HTTP
 * check on the health route and the TTL check of the application checks. With no check at all,
 * `checks` stays unset so that core adds its liveness TTL check (a crashed process is reaped).
 *
 * @example
 * const definition = buildServiceDefinition({ name: 'web' }, {
 *   healthRoute: '/health', ttl: undefined, boundAddress: '127.0.0.1', boundPort: 3000,
 * });
 */
export function buildServiceDefinition(
  service: ManagedServiceOptions,
  ctx: ServiceDefinitionContext,
): RegistrationDefinition {
  // Only a missing port or address defaults to the bound one: `null` goes on to be refused.
  const port = service.port === undefined ? ctx.boundPort : service.port;
  if (port === undefined) {
    // Listening on a unix socket or a pipe: there is no port consumers could dial.
    throw new ConsulOptionError(
      'service.port',
      'a port to register (the server is not bound to a TCP port)',
      undefined,
    );
  }
  if (service.checks !== undefined && !Array.isArray(service.checks)) {
    throw new ConsulOptionError('service.checks', 'an array of checks', service.checks);
  }
  // The user's checks first, so that core's error paths (`service.checks[i]`) match their indexes.
  const checks: RegistrationCheck[] = [...(service.checks ?? [])];
  const http = httpCheck(service, ctx);
  if (http) checks.push(http);
  if (ctx.ttl !== undefined) {
    checks.push({
      name: `${service.name} application checks`,
      ttl: ctx.ttl,
      notes: ctx.ttlCheckNotes ?? 'Reports the application health checks',
      ...(ctx.initialStatus ? { status: ctx.initialStatus } : {}),
    });
  }
  const definition: RegistrationDefinition = {
    name: service.name,
    port,
    address: service.address === undefined ? ctx.boundAddress : service.address,
  };
  if (service.id !== undefined) definition.id = service.id;
  if (service.tags !== undefined) definition.tags = service.tags;
  if (service.meta !== undefined) definition.meta = service.meta;
  if (service.weights !== undefined) definition.weights = service.weights;
  if (checks.length > 0) definition.checks = checks;
  return definition;
}

/** Registration behaviour: the health function feeding TTL checks, deregistration defaults. */
export function serviceRegistrationOptions(
  service: ManagedServiceOptions,
  health: HealthFunction | undefined,
): RegistrationOptions {
  const options: RegistrationOptions = { health };
  if (service.deregisterCriticalServiceAfter !== undefined) {
    options.deregisterCriticalServiceAfter = service.deregisterCriticalServiceAfter;
  }
  return options;
}

/**
 * Runs core's registration planner on the options with a placeholder port (and name, when it is
 * missing), so that a bad field fails startup, naming it, instead of surfacing only at `listen`.
 */
export function validateServiceDefinition(
  service: ManagedServiceOptions,
  healthRoute: string | false,
  ttl: Duration | undefined,
): void {
  const named = { ...service, name: service.name ?? 'placeholder' };
  const definition = buildServiceDefinition(named, {
    healthRoute,
    ttl,
    boundAddress: undefined,
    boundPort: service.port ?? 1,
  });
  // `service.deregisterCriticalServiceAfter` was checked by the normaliser, under its own name.
  planRegistration(definition, serviceRegistrationOptions(service, undefined));
  if (typeof service.name !== 'string' || service.name.trim() === '') {
    throw new ConsulOptionError('service.name', 'a non-empty service name', service.name);
  }
}

function httpCheck(
  service: ManagedServiceOptions,
  ctx: ServiceDefinitionContext,
): RegistrationCheck | undefined {
  const check = service.check;
  if (check === false) return undefined;
  if (check === undefined && ctx.healthRoute === false) return undefined;
  const target = check?.http ?? true;
  if (target === true && ctx.healthRoute === false) {
    throw new ConsulOptionError(
      'service.check.http',
      'a path or URL to probe (healthRoute is false, so there is no health route)',
      target,
    );
  }
  const result: RegistrationCheck = {
    name: `${service.name} health route`,
    http: target === true ? (ctx.healthRoute as string) : target,
    interval: check?.interval ?? HTTP_CHECK_INTERVAL,
    timeout: check?.timeout ?? HTTP_CHECK_TIMEOUT,
  };
  if (check?.deregisterCriticalServiceAfter !== undefined) {
    result.deregisterCriticalServiceAfter = check.deregisterCriticalServiceAfter;
  }
  if (ctx.initialStatus) result.status = ctx.initialStatus;
  return result;
}
