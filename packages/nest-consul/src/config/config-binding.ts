import { isDeepStrictEqual } from 'node:util';
import {
  type ConfigStore,
  ConsulConfigParseError,
  ConsulConfigValidationError,
  type ParseMode,
} from '@consulkit/core';
import { type ConsulRuntime } from '../internal/consul-runtime';
import {
  CONFIG_LOAD_BEFORE_OPEN,
  configHandlerFailed,
  configKeyUnavailable,
  configUnreadableStaysUndefined,
  configUnreadableUsesDefault,
  configValueRejected,
  requiredConfigDeleted,
} from '../consul.messages';
import { type ConsulConfigChangeEvent } from './consul-config.decorator';
import { ConsulConfigKeyMissingError } from './errors';

/** A `@ConsulConfig` property of one instance. */
export interface PropertyTarget {
  instance: object;
  property: string | symbol;
  /** `Class.property`, for messages. */
  label: string;
  /** `default`, else the field initializer's value; `undefined` when neither. */
  fallback: unknown;
  required: boolean;
}

/** An `@OnConsulConfigChange` method of one instance. */
export interface HandlerTarget {
  instance: object;
  method: string | symbol;
  label: string;
}

type Handler = (value: unknown, event: ConsulConfigChangeEvent) => unknown;

/**
 * One Consul key read with one parse mode, and everything bound to it. It owns a core
 * `ConfigStore` of that single key (whose watch the client's hub shares with any other reader of
 * the key), so a bad value on one key never holds back the others: the store keeps the last good
 * value and reports the error, which is logged here.
 */
export class ConfigBinding {
  /** The key as the store names it (no leading `/`). */
  readonly configKey: string;
  private readonly properties: PropertyTarget[] = [];
  private readonly handlers: HandlerTarget[] = [];
  private store: ConfigStore | undefined;
  /** The value last published by the store (`undefined`: key absent or not loaded). */
  private value: unknown;

  constructor(
    readonly key: string,
    readonly parse: ParseMode,
    readonly watch: boolean,
    private readonly runtime: ConsulRuntime,
  ) {
    this.configKey = key.replace(/^\//, '');
  }

  addProperty(target: PropertyTarget): void {
    this.properties.push(target);
  }

  addHandler(target: HandlerTarget): void {
    this.handlers.push(target);
  }

  /** Opens the store (validates the key and parse mode; nothing is awaited yet). */
  open(): void {
    const store = this.runtime.scope.config({
      keys: { [this.configKey]: { parse: this.parse } },
      watch: this.watch,
    });
    this.store = store;
    store.on('error', (err) => this.onStoreError(err));
    store.onKey(this.configKey, (value, change) => this.deliver(value, change.deleted === true));
  }

  /**
   * Waits for the first read and assigns every property: the value, else its fallback. Returns the
   * errors that must fail startup (a `required` property left without a value).
   */
  async load(): Promise<Error[]> {
    const store = this.store;
    if (!store) throw new Error(CONFIG_LOAD_BEFORE_OPEN);
    let failure: Error | undefined;
    try {
      await store.ready();
      this.value = store.get(this.configKey);
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    }
    const errors: Error[] = [];
    for (const target of this.properties) {
      const value = failure ? undefined : this.value;
      if (value !== undefined) assign(target, value);
      else if (target.fallback !== undefined) {
        assign(target, target.fallback);
        if (failure && !isParseFailure(failure)) {
          this.runtime.logger.warn(configUnreadableUsesDefault(this.key, failure, target.label));
        }
      } else if (target.required) {
        errors.push(failure ?? new ConsulConfigKeyMissingError(this.key, target.label));
      } else if (failure && !isParseFailure(failure)) {
        this.runtime.logger.warn(configUnreadableStaysUndefined(this.key, failure, target.label));
      }
    }
    if (failure) this.awaitLateLoad(store);
    return errors;
  }

  /** After a failed first read, the store keeps trying: deliver its first good value. */
  private awaitLateLoad(store: ConfigStore): void {
    store.ready().then(
      () => {
        const value = store.get(this.configKey);
        if (!isDeepStrictEqual(value, this.value)) this.deliver(value, false);
      },
      () => {
        if (!store.closed && !this.runtime.scope.closed) this.awaitLateLoad(store);
      },
    );
  }

  private deliver(value: unknown, deleted: boolean): void {
    const previous = this.value;
    this.value = value;
    for (const target of this.properties) {
      if (value !== undefined) assign(target, value);
      else if (target.fallback !== undefined) assign(target, target.fallback);
      else if (target.required) {
        this.runtime.logger.warn(requiredConfigDeleted(this.key, target.label));
      } else assign(target, undefined);
    }
    const event: ConsulConfigChangeEvent = { key: this.key, value, previous, deleted };
    for (const handler of this.handlers) this.callHandler(handler, value, event);
  }

  private callHandler(target: HandlerTarget, value: unknown, event: ConsulConfigChangeEvent): void {
    const logFailure = (err: unknown) =>
      this.runtime.logger.error(configHandlerFailed(target.label, this.key, err));
    try {
      const method = (target.instance as Record<string | symbol, Handler>)[target.method];
      const result = method?.call(target.instance, value, event);
      if (result instanceof Promise) result.catch(logFailure);
    } catch (err) {
      logFailure(err);
    }
  }

  private onStoreError(err: Error): void {
    if (isParseFailure(err)) {
      // Core's messages name the key and the mode, never the value (it may be a secret).
      this.runtime.logger.error(configValueRejected(err));
    } else {
      // Consul unreachable: the watch already logs each outage once through the client's logger.
      this.runtime.logger.debug(configKeyUnavailable(this.key, err));
    }
  }
}

function isParseFailure(err: Error): boolean {
  return err instanceof ConsulConfigParseError || err instanceof ConsulConfigValidationError;
}

function assign(target: PropertyTarget, value: unknown): void {
  (target.instance as Record<string | symbol, unknown>)[target.property] = value;
}
