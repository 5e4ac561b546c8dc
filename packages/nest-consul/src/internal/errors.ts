import { ConsulConfigError } from '@consulkit/core';

/**
 * The same `ConsulConfigError` with the option path prefixed (`address` → `consul.address`), so
 * the message names the option as the user wrote it in the module options.
 */
export function prefixOption(err: unknown, prefix: string): unknown {
  if (!(err instanceof ConsulConfigError)) return err;
  const option = `${prefix}.${err.option}`;
  const renamed = new ConsulConfigError(option, '', undefined);
  renamed.message = err.message.replace(`"${err.option}"`, `"${option}"`);
  renamed.stack = `${renamed.name}: ${renamed.message}\n${err.stack?.split('\n').slice(1).join('\n') ?? ''}`;
  return renamed;
}
