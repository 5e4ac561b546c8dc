import type { Consul } from '../consul';
import { ConsulClosedError } from '../errors';
import { planRegistration } from './check-plan';
import { resolveRegistrationOptions } from './registration-options';
import { Registration } from './registration';
import { type RegistrationDefinition, type RegistrationOptions } from './types';

/**
 * `consul.register(definition, options)`: validates everything (a `ConsulOptionError` names the
 * field, nothing is sent), then returns the {@link Registration}, already registering unless
 * `autoStart: false`.
 */
export function createRegistration(
  consul: Consul,
  definition: RegistrationDefinition,
  options: RegistrationOptions = {},
): Registration {
  const resolved = resolveRegistrationOptions(options);
  const plan = planRegistration(definition, options);
  if (consul.closed) throw new ConsulClosedError('The Consul client is closed: cannot register');
  const registration = new Registration(consul, plan, resolved);
  if (resolved.autoStart) void registration.start();
  return registration;
}
