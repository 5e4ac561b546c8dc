import { ConsulOptionError, type ParseMode, PARSE_MODES } from '@consulkit/core';
import { isParseMode, prefixConfigError } from '@consulkit/core/adapter';
import { Inject, Injectable } from '@nestjs/common';
import {
  EXPECTED_BOOLEAN,
  EXPECTED_KV_KEY,
  EXPECTED_OBJECT,
  expectedKnownOption,
  expectedParseMode,
} from '../consul.messages';
import { ConsulRuntime } from '../internal/consul-runtime';
import { ConfigBinding } from './config-binding';
import {
  type ConsulConfigChangeMetadata,
  type ConsulConfigPropertyMetadata,
} from './consul-config.decorator';

const OPTION_KEYS = ['default', 'parse', 'watch', 'required'];
const CHANGE_OPTION_KEYS = ['parse'];

/**
 * The runtime side of `@ConsulConfig` and `@OnConsulConfigChange` for one app: validates what the
 * decorators recorded (errors name `Class.property.option`), groups the targets by key and parse
 * mode into {@link ConfigBinding}s, and loads them all before the app bootstraps.
 */
@Injectable()
export class ConsulConfigRegistry {
  private readonly bindings: ConfigBinding[] = [];

  constructor(@Inject(ConsulRuntime) private readonly runtime: ConsulRuntime) {}

  /** Binds one decorated property of `instance` (validating its options). */
  addProperty(instance: object, className: string, meta: ConsulConfigPropertyMetadata): void {
    const label = `${className}.${String(meta.property)}`;
    const options = optionsRecord(meta.options, label, OPTION_KEYS);
    const key = checkKey(meta.key, label);
    const parse = checkParse(options.parse, label);
    const watch = checkBoolean(options.watch, `${label}.watch`) ?? true;
    const required = checkBoolean(options.required, `${label}.required`) ?? false;
    // A field initializer (`timeout = '3s'`) is a default too; it was set by the constructor.
    const initial = (instance as Record<string | symbol, unknown>)[meta.property];
    this.binding(key, parse, watch).addProperty({
      instance,
      property: meta.property,
      label,
      fallback: options.default !== undefined ? options.default : initial,
      required,
    });
  }

  /** Binds one `@OnConsulConfigChange` method of `instance`. */
  addHandler(
    instance: object,
    className: string,
    method: string | symbol,
    meta: ConsulConfigChangeMetadata,
    defaultParse: ParseMode | undefined,
  ): void {
    const label = `${className}.${String(method)}`;
    const options = optionsRecord(meta.options, label, CHANGE_OPTION_KEYS);
    const key = checkKey(meta.key, label);
    const parse = checkParse(options.parse ?? defaultParse, label);
    this.binding(key, parse, true).addHandler({ instance, method, label });
  }

  /**
   * Reads every bound key and assigns the properties. Rejects, failing startup, when a `required`
   * key has no value (naming it) or cannot be read; the other keys then keep loading in the
   * background.
   */
  async load(): Promise<void> {
    for (const binding of this.bindings) {
      try {
        binding.open();
      } catch (err) {
        throw prefixConfigError(err, `@ConsulConfig("${binding.key}")`);
      }
    }
    const results = await Promise.all(this.bindings.map((b) => b.load()));
    const errors = results.flat();
    for (const error of errors.slice(1)) this.runtime.logger.error(error.message);
    if (errors.length > 0) throw errors[0];
  }

  private binding(key: string, parse: ParseMode, watch: boolean): ConfigBinding {
    const normalised = key.replace(/^\//, '');
    const found = this.bindings.find(
      (b) => b.configKey === normalised && b.parse === parse && b.watch === watch,
    );
    if (found) return found;
    const binding = new ConfigBinding(key, parse, watch, this.runtime);
    this.bindings.push(binding);
    return binding;
  }
}

function optionsRecord(value: unknown, label: string, known: readonly string[]) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConsulOptionError(`${label}.options`, EXPECTED_OBJECT, value);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new ConsulOptionError(`${label}.${key}`, expectedKnownOption(known), key);
    }
  }
  return value as { default?: unknown; parse?: unknown; watch?: unknown; required?: unknown };
}

function checkKey(key: unknown, label: string): string {
  if (typeof key !== 'string' || key.replace(/^\//, '').trim() === '' || key.endsWith('/')) {
    throw new ConsulOptionError(`${label}.key`, EXPECTED_KV_KEY, key);
  }
  return key;
}

function checkParse(parse: unknown, label: string): ParseMode {
  if (parse === undefined) return 'auto';
  if (!isParseMode(parse)) {
    throw new ConsulOptionError(`${label}.parse`, expectedParseMode(PARSE_MODES), parse);
  }
  return parse;
}

function checkBoolean(value: unknown, option: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new ConsulOptionError(option, EXPECTED_BOOLEAN, value);
  return value;
}
