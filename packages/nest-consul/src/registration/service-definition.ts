import {
  ConsulConfigError,
  type Duration,
  type HealthFunction,
  type HealthStatus,
  planRegistration,
  type RegistrationCheck,
  type RegistrationDefinition,
  type RegistrationOptions,
} from '@consulkit/core';
import { type ConsulServiceOptions } from '../interfaces/consul-module-options.interface';

/** What the registration needs to know besides the service options. */
export interface RegistrationContext {
  /** Health route path, or `false` when the app serves none. */
  healthRoute: string | false;
  /** TTL of the application-checks heartbeat check, if enabled. */
  ttl: Duration | undefined;
  /** Address the HTTP server bound (`server.address().address`). */
  boundAddress: string | undefined;
  /** Port the HTTP server bound. */
  boundPort: number | undefined;
  /** Verdict of the check functions right now: the initial status of the checks we add. */
  initialStatus?: HealthStatus;
}

/** Defaults of the HTTP check Consul runs against the health route. */
const HTTP_CHECK_INTERVAL = '10s';
const HTTP_CHECK_TIMEOUT = '5s';

/**
 * Builds what `consul.register(definition, options)` takes from the module options and the
 * address and port really bound: the service fields, then the user's own checks, the HTTP check
 * on the health route and the TTL check of the application checks.
 */
export function registrationDefinition(
  service: ConsulServiceOptions,
  ctx: RegistrationContext,
): RegistrationDefinition {
  const port = service.port ?? ctx.boundPort;
  if (port === undefined) {
    // Listening on a unix socket or a pipe: there is no port consumers could dial.
    throw new ConsulConfigError(
      'service.port',
      'a port to register (the server is not bound to a TCP port)',
      undefined,
    );
  }
  // The user's checks first, so that core's error paths (`service.checks[i]`) match their indexes.
  const checks: RegistrationCheck[] = [...(service.checks ?? [])];
  const http = httpCheck(service, ctx);
  if (http) checks.push(http);
  if (ctx.ttl !== undefined) {
    checks.push({
      name: `${service.name} application checks`,
      ttl: ctx.ttl,
      notes: 'Reports the checks added with ConsulService.addCheck (@consulkit/nest)',
      ...(ctx.initialStatus ? { status: ctx.initialStatus } : {}),
    });
  }
  const definition: RegistrationDefinition = {
    name: service.name,
    port,
    address: service.address ?? ctx.boundAddress,
  };
  if (service.id !== undefined) definition.id = service.id;
  if (service.tags !== undefined) definition.tags = service.tags;
  if (service.meta !== undefined) definition.meta = service.meta;
  if (service.weights !== undefined) definition.weights = service.weights;
  // No check at all: leave `checks` unset so that core adds its liveness TTL check (zombie reaper).
  if (checks.length > 0) definition.checks = checks;
  return definition;
}

/** Registration behaviour: the health function feeding TTL checks, deregistration defaults. */
export function registrationOptions(
  service: ConsulServiceOptions,
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
export function validateService(
  service: ConsulServiceOptions,
  healthRoute: string | false,
  ttl: Duration | undefined,
): void {
  const named = { ...service, name: service.name ?? 'placeholder' };
  const definition = registrationDefinition(named, {
    healthRoute,
    ttl,
    boundAddress: undefined,
    boundPort: service.port ?? 1,
  });
  // `service.deregisterCriticalServiceAfter` was checked by normaliseOptions, under its own name.
  planRegistration(definition, registrationOptions(service, undefined));
  if (typeof service.name !== 'string' || service.name.trim() === '') {
    throw new ConsulConfigError('service.name', 'a non-empty service name', service.name);
  }
}

function httpCheck(
  service: ConsulServiceOptions,
  ctx: RegistrationContext,
): RegistrationCheck | undefined {
  const check = service.check;
  if (check === false) return undefined;
  if (check === undefined && ctx.healthRoute === false) return undefined;
  const target = check?.http ?? true;
  if (target === true && ctx.healthRoute === false) {
    throw new ConsulConfigError(
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
