import { type ResolvedConsulConfig } from '../config';
import { type ConfigStoreOptions } from './options';
import { ConfigStore, type ConfigStoreClient } from './store';

/** `consul.config(options)`: opens a {@link ConfigStore} on the client. */
export interface ConfigStoreFactory {
  <T extends object = Record<string, unknown>>(options: ConfigStoreOptions<T>): ConfigStore<T>;
}

/**
 * The type of `consul.config`: the client's resolved options (token included: never log it) that
 * can also be called — `consul.config({ prefix })` — to open a KV config store. Both names are
 * public: `consul.config(...)` is the documented config-store entry point, and `consul.config.logger`
 * etc. are what recipes read.
 */
export type ConsulConfigMember = ConfigStoreFactory & Readonly<ResolvedConsulConfig>;

/**
 * Makes the `consul.config` member: a function opening config stores on `client()`, carrying the
 * resolved options as properties. `client` is a thunk because the client is still being built.
 */
export function configMember(
  resolved: ResolvedConsulConfig,
  client: () => ConfigStoreClient,
): ConsulConfigMember {
  const open = <T extends object = Record<string, unknown>>(
    options: ConfigStoreOptions<T>,
  ): ConfigStore<T> => new ConfigStore<T>(client(), options);
  return Object.assign(open, resolved);
}
