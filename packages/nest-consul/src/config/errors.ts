import { ConsulNotFoundError } from '@consulkit/core';

/**
 * Startup failed because a `required` `@ConsulConfig` key does not exist in Consul KV and has no
 * default. `key` is the Consul key; `property` the decorated `Class.property`.
 */
export class ConsulConfigKeyMissingError extends ConsulNotFoundError {
  readonly key: string;
  readonly property: string;

  constructor(key: string, property: string) {
    super(
      `Required config key "${key}" (${property}) does not exist in Consul KV and has no default`,
      {},
    );
    this.key = key;
    this.property = property;
  }
}
