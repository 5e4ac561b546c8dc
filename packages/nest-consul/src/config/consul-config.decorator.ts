import { type ParseMode } from '@consulkit/core';
import { CONSUL_CONFIG_CHANGE, CONSUL_CONFIG_PROPERTIES } from '../consul.metadata-keys';

/**
 * How a KV value becomes the property's value: `'string'` (the text), `'number'`, `'boolean'`
 * (`true/false/1/0/yes/no`), `'duration'` (a Go duration → milliseconds), `'json'`, `'yaml'`,
 * `'raw'` (a Buffer), `'auto'` (by the key's extension, else string; the default), or a function
 * `(text, key) => value` that throws to reject a value.
 */
export type ConsulConfigParse<V = unknown> = ParseMode<V>;

/** Options of {@link ConsulConfig}. */
export interface ConsulConfigOptions<V = unknown> {
  /**
   * The value while the key does not exist in Consul (and after it is deleted), and when the
   * first value read does not parse. Not parsed. A field initializer serves as the default too.
   */
  default?: V;
  /** How the value is parsed. Default `'auto'`. */
  parse?: ConsulConfigParse<V>;
  /** Keep the property current as the key changes. Default `true`. */
  watch?: boolean;
  /**
   * Startup fails, naming the key, when the key does not exist and there is no default (or the
   * value cannot be read or parsed). A later deletion keeps the last value.
   */
  required?: boolean;
}

/** One `@ConsulConfig` property, as stored in class metadata. */
export interface ConsulConfigPropertyMetadata {
  property: string | symbol;
  key: string;
  options: ConsulConfigOptions;
}

/** Options of {@link OnConsulConfigChange}. */
export interface OnConsulConfigChangeOptions<V = unknown> {
  /**
   * How the value is parsed. Default: the `parse` of a `@ConsulConfig` property on the same key in
   * the same class, else `'auto'`.
   */
  parse?: ConsulConfigParse<V>;
}

/** The key and options of an `@OnConsulConfigChange` method, as stored in method metadata. */
export interface ConsulConfigChangeMetadata {
  key: string;
  options: OnConsulConfigChangeOptions;
}

/**
 * Binds a property of a singleton provider or controller to a Consul KV key, hot-reloaded.
 * Writes metadata only: the module's explorer reads every value before the application
 * bootstraps (in `ConsulModule`'s `onModuleInit`, which runs first when the module is global),
 * watches the key and updates the property in place. A value that does not parse keeps the last
 * good one and is logged (never with the value: it may be a secret). Values are frozen.
 *
 * @example
 * @Injectable()
 * class CdnSettings {
 *   @ConsulConfig('config/cdn/origin_timeout', { default: '3s' }) originTimeout!: string;
 *   @ConsulConfig('config/cdn/limits', { parse: 'json', required: true }) limits!: Limits;
 * }
 */
export function ConsulConfig<V = unknown>(
  key: string,
  options: ConsulConfigOptions<V> = {},
): PropertyDecorator {
  return (target, property) => {
    const ctor = target.constructor;
    // Own copy per class, so a subclass adding properties never changes its parent's list.
    const inherited = (Reflect.getMetadata(CONSUL_CONFIG_PROPERTIES, ctor) ??
      []) as ConsulConfigPropertyMetadata[];
    const own = inherited.filter((p) => p.property !== property);
    own.push({ property, key, options: options as ConsulConfigOptions });
    Reflect.defineMetadata(CONSUL_CONFIG_PROPERTIES, own, ctor);
  };
}

/**
 * Calls the method with `(value, event)` after the key's value changed in Consul (not for the
 * value read at startup). `value` is `undefined` once the key is deleted. A throwing handler is
 * logged and does not affect the others.
 *
 * @example
 * @OnConsulConfigChange('config/cdn/limits', { parse: 'json' })
 * resize(limits: Limits | undefined, event: ConsulConfigChangeEvent<Limits>) { ... }
 */
export function OnConsulConfigChange<V = unknown>(
  key: string,
  options: OnConsulConfigChangeOptions<V> = {},
): MethodDecorator {
  return (_target, _property, descriptor) => {
    const metadata: ConsulConfigChangeMetadata = {
      key,
      options: options as OnConsulConfigChangeOptions,
    };
    Reflect.defineMetadata(CONSUL_CONFIG_CHANGE, metadata, descriptor.value as object);
    return descriptor;
  };
}

/** What an `@OnConsulConfigChange` method receives as its second argument. */
export interface ConsulConfigChangeEvent<V = unknown> {
  /** The Consul key. */
  key: string;
  /** The new value (`undefined` when the key was deleted). */
  value: V | undefined;
  /** The value before. */
  previous: V | undefined;
  /** Whether the key was deleted. */
  deleted: boolean;
}
