import { ConsulNotFoundError } from '@consulkit/core';
import { requiredConfigMissing } from '../consul.messages';

/**
 * Startup failed because a `required` `@ConsulConfig` key does not exist in Consul KV and has no
 * default. `key` is the Consul key; `property` the decorated `Class.property`.
 */
export class ConsulConfigKeyMissingError extends ConsulNotFoundError {
  readonly key: string;
  readonly property: string;

  constructor(key: string, property: string) {
    super(requiredConfigMissing(key, property), {});
    this.key = key;
    this.property = property;
  }
}
