import { Consul } from '../consul';
import { type ConsulLogger } from '../logger';
import { type ConsulClientSource } from './service-options';
import { prefixConfigError } from './prefix-option';

/**
 * The client an adapter works with: the adopted one, or a new one from the `consul` options that
 * logs through the framework's `logger` unless the options bring their own. A bad client option
 * throws a `ConsulOptionError` named as the user wrote it (`consul.address`).
 */
export function openClient(source: ConsulClientSource, logger: ConsulLogger): Consul {
  if (!source.owned) return source.client;
  try {
    return new Consul({ logger, ...source.options });
  } catch (err) {
    throw prefixConfigError(err, 'consul');
  }
}
