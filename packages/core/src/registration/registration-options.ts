import { toTimerMillis } from '../duration';
import { ConsulOptionError } from '../errors';
import { validateKnownOptions, checkObject, optionalBoolean, optionKeys } from '../models/validate';
import { type RegistrationOptions } from './types';

const KEYS = optionKeys<RegistrationOptions>({
  health: true,
  heartbeatInterval: true,
  reconcile: true,
  deregisterCriticalServiceAfter: true,
  defaultTtl: true,
  autoStart: true,
  deregisterOnClose: true,
});

/** {@link RegistrationOptions} after validation. */
export interface ResolvedRegistrationOptions {
  health: RegistrationOptions['health'];
  heartbeatIntervalMs: number | undefined;
  reconcile: boolean;
  autoStart: boolean;
  deregisterOnClose: boolean;
}

/**
 * Validates the behaviour options of `consul.register()` (durations that feed the definition,
 * `deregisterCriticalServiceAfter` and `defaultTtl`, are validated by the planner). Throws a
 * {@link ConsulOptionError} naming the option.
 */
export function resolveRegistrationOptions(input: unknown = {}): ResolvedRegistrationOptions {
  const o = checkObject(input, 'options');
  validateKnownOptions(o, KEYS, 'options');
  if (o.health !== undefined && typeof o.health !== 'function') {
    throw new ConsulOptionError('options.health', 'a function', o.health);
  }
  let heartbeatIntervalMs: number | undefined;
  if (o.heartbeatInterval !== undefined) {
    // Slept on between beats: beyond a Node timer's limit it would beat every millisecond.
    heartbeatIntervalMs = toTimerMillis(o.heartbeatInterval as string, 'options.heartbeatInterval');
    if (heartbeatIntervalMs < 100) {
      throw new ConsulOptionError(
        'options.heartbeatInterval',
        'at least 100ms',
        o.heartbeatInterval,
      );
    }
  }
  return {
    health: o.health as RegistrationOptions['health'],
    heartbeatIntervalMs,
    reconcile: optionalBoolean(o.reconcile, 'options.reconcile') ?? true,
    autoStart: optionalBoolean(o.autoStart, 'options.autoStart') ?? true,
    deregisterOnClose: optionalBoolean(o.deregisterOnClose, 'options.deregisterOnClose') ?? true,
  };
}
