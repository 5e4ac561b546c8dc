import { ConsulOptionError } from '../errors';

/**
 * The same `ConsulOptionError` with its option path prefixed (`address` → `consul.address`), so
 * that the message names the option as the user wrote it in an adapter's options (or under a
 * decorator's label). Any other value is returned as is.
 *
 * @example
 * try { new Consul(options.consul); } catch (err) { throw prefixConfigError(err, 'consul'); }
 */
export function prefixConfigError(err: unknown, prefix: string): unknown {
  if (!(err instanceof ConsulOptionError)) return err;
  const option = `${prefix}.${err.option}`;
  const renamed = new ConsulOptionError(option, '', undefined);
  renamed.message = err.message.replace(`"${err.option}"`, `"${option}"`);
  renamed.stack = `${renamed.name}: ${renamed.message}\n${err.stack?.split('\n').slice(1).join('\n') ?? ''}`;
  return renamed;
}
