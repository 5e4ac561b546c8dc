/**
 * The reflect-metadata keys the module's decorators write and its explorer reads, namespaced
 * `CONSUL:` like the injection tokens (`consul.tokens.ts`).
 */

/** Metadata: the `@ConsulConfig` properties of a class (a list, inherited by subclasses). */
export const CONSUL_CONFIG_PROPERTIES = 'CONSUL:CONFIG_PROPERTIES';
/** Metadata: the key and options of an `@OnConsulConfigChange` method. */
export const CONSUL_CONFIG_CHANGE = 'CONSUL:CONFIG_CHANGE';
/** Metadata: the coordination (`@LeaderOnly` / `@WithLock`) of a method. */
export const CONSUL_COORDINATION = 'CONSUL:COORDINATION';
/** Metadata: the `@Lease()` parameters of a method (on the prototype, per method name). */
export const CONSUL_LEASE_PARAMETERS = 'CONSUL:LEASE_PARAMETERS';
