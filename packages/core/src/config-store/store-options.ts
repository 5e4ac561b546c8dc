import { type Duration, optionalMillis, toTimerMillis } from '../duration';
import { ConsulOptionError } from '../errors';
import { encodeKey } from '../internal/path';
import { validateKnownOptions, optionKeys } from '../models/validate';
import { isParseMode, type ParseMode, PARSE_MODES } from './parse';
import { type ConfigSchema, isStandardSchema } from './schema';

/** Per-key settings of a {@link ConfigStoreOptions}. */
export interface ConfigKeyOptions<V = unknown> {
  /** How this key's value is parsed; overrides the store's `format`. */
  parse?: ParseMode<V>;
  /**
   * The value used while the key is absent from Consul (and after it is deleted). Not parsed; it
   * is deep-frozen when published, like every config value.
   */
  default?: V;
}

/** Options of `consul.config()`. */
export interface ConfigStoreOptions<T = Record<string, unknown>> {
  /**
   * The KV folder to load, e.g. `'config/app/'` (a trailing `/` is added when missing, since KV
   * prefixes are plain string prefixes: `config/app` would also match `config/apple`). Config keys
   * are the Consul keys minus this prefix. Goes before `layers` when both are given.
   */
  prefix?: string;
  /**
   * Layered prefixes, first wins, e.g. `['config/app/', 'config/application/']`: a key set in
   * `config/app/` hides the same key in `config/application/`. `source(key)` tells which won.
   */
  layers?: readonly string[];
  /**
   * A list of config keys to load (only these), or per-key options (`parse`, `default`). With no
   * prefix and no layers, keys are absolute Consul keys and only the listed ones are loaded; with a
   * prefix, a record adds options to keys while every key under the prefix is still loaded.
   */
  keys?: readonly string[] | Readonly<Record<string, ConfigKeyOptions>>;
  /** Parse mode for keys without their own `parse`. Default `'auto'` (by extension, else string). */
  format?: ParseMode;
  /**
   * Validates every candidate snapshot before it is published: a function
   * `(values) => values | void` that throws to reject, or a Standard Schema v1 validator (zod ≥
   * 3.24, valibot, …). A rejected snapshot is not published; the last good one stays.
   */
  schema?: ConfigSchema<T>;
  /** Quiet time after the last write of a burst before the new snapshot is built. Default 100 ms. */
  debounce?: Duration;
  /** Longest a continuous stream of writes may delay a new snapshot. Default 1 s (≥ `debounce`). */
  maxDelay?: Duration;
  /**
   * When Consul cannot be reached for the first load, resolve `ready()` with the defaults (and keep
   * trying in the background) instead of rejecting. Default false.
   */
  optional?: boolean;
  /** Keep watching for changes after the first load. Default true. */
  watch?: boolean;
  /** Longest wait of each blocking query (passed to the watch). */
  wait?: Duration;
  /** Let any server answer the watch's reads (`?stale`): less leader load, may lag slightly. */
  stale?: boolean;
}

/** The option names of {@link ConfigStoreOptions} (unknown ones are rejected). */
const OPTION_KEYS = optionKeys<ConfigStoreOptions>({
  prefix: true,
  layers: true,
  keys: true,
  format: true,
  schema: true,
  debounce: true,
  maxDelay: true,
  optional: true,
  watch: true,
  wait: true,
  stale: true,
});
const KEY_OPTION_KEYS = optionKeys<ConfigKeyOptions>({ parse: true, default: true });

/** Options after validation, in the form the store uses. */
export interface NormalizedConfigOptions {
  /** Prefixes in priority order (`''` for absolute keys), each ending in `/` unless empty. */
  readonly layers: readonly string[];
  /** Config keys to load, when only some are. */
  readonly selection: ReadonlySet<string> | undefined;
  readonly keyOptions: ReadonlyMap<string, ConfigKeyOptions>;
  readonly format: ParseMode;
  readonly schema: ConfigSchema<unknown> | undefined;
  readonly debounceMs: number;
  readonly maxDelayMs: number;
  readonly optional: boolean;
  readonly watch: boolean;
  readonly waitMs: number | undefined;
  readonly stale: boolean;
}

const DEFAULT_DEBOUNCE_MS = 100;
const DEFAULT_MAX_DELAY_MS = 1_000;

/** Validates `consul.config()` options; throws a `ConsulOptionError` naming the bad option. */
export function resolveConfigStoreOptions(options: unknown): NormalizedConfigOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConsulOptionError('options', 'an object', options);
  }
  validateKnownOptions(options, OPTION_KEYS);
  const opts = options as ConfigStoreOptions;
  const layers: string[] = [];
  if (opts.prefix !== undefined) layers.push(resolvePrefix(opts.prefix, 'prefix'));
  if (opts.layers !== undefined) {
    if (!Array.isArray(opts.layers) || opts.layers.length === 0) {
      throw new ConsulOptionError('layers', 'a non-empty array of KV prefixes', opts.layers);
    }
    opts.layers.forEach((p: unknown, i) => layers.push(resolvePrefix(p, `layers[${i}]`)));
  }
  const { selection, keyOptions } = resolveKeys(opts.keys, layers.length > 0);
  if (layers.length === 0) {
    if (selection === undefined) {
      throw new ConsulOptionError('prefix', 'a KV prefix, layers, or a list of keys', undefined);
    }
    layers.push('');
  }
  const format = opts.format ?? 'auto';
  if (!isParseMode(format)) throw badMode('format', format);
  if (
    opts.schema !== undefined &&
    typeof opts.schema !== 'function' &&
    !isStandardSchema(opts.schema)
  ) {
    throw new ConsulOptionError(
      'schema',
      'a function or a Standard Schema validator (an object with "~standard".validate)',
      opts.schema,
    );
  }
  const debounceMs = toTimerMillis(opts.debounce ?? DEFAULT_DEBOUNCE_MS, 'debounce');
  const maxDelayMs = Math.max(
    debounceMs,
    toTimerMillis(opts.maxDelay ?? DEFAULT_MAX_DELAY_MS, 'maxDelay'),
  );
  return {
    layers: [...new Set(layers)],
    selection,
    keyOptions,
    format,
    schema: opts.schema as ConfigSchema<unknown> | undefined,
    debounceMs,
    maxDelayMs,
    optional: flag(opts.optional, 'optional', false),
    watch: flag(opts.watch, 'watch', true),
    waitMs: optionalMillis(opts.wait, 'wait'),
    stale: flag(opts.stale, 'stale', false),
  };
}

function resolvePrefix(prefix: unknown, option: string): string {
  encodeKey(prefix, option, true); // rejects non-strings and `//`
  const trimmed = (prefix as string).replace(/^\//, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

function resolveKeys(
  keys: unknown,
  hasPrefix: boolean,
): { selection: Set<string> | undefined; keyOptions: Map<string, ConfigKeyOptions> } {
  const keyOptions = new Map<string, ConfigKeyOptions>();
  if (keys === undefined) return { selection: undefined, keyOptions };
  if (Array.isArray(keys)) {
    if (keys.length === 0) throw new ConsulOptionError('keys', 'a non-empty list of keys', keys);
    const names = keys.map((k: unknown, i) => checkKey(k, `keys[${i}]`));
    return { selection: new Set(names), keyOptions };
  }
  if (typeof keys !== 'object' || keys === null) {
    throw new ConsulOptionError('keys', 'a list of keys or an object of per-key options', keys);
  }
  for (const [name, value] of Object.entries(keys as Record<string, unknown>)) {
    const option = `keys.${name}`;
    const key = checkKey(name, option);
    if (typeof value !== 'object' || value === null) {
      throw new ConsulOptionError(option, 'an object such as { parse, default }', value);
    }
    validateKnownOptions(value, KEY_OPTION_KEYS, option);
    const parse = (value as ConfigKeyOptions).parse;
    if (parse !== undefined && !isParseMode(parse)) throw badMode(`${option}.parse`, parse);
    keyOptions.set(key, value as ConfigKeyOptions);
  }
  if (keyOptions.size === 0 && !hasPrefix) {
    throw new ConsulOptionError('keys', 'at least one key', keys);
  }
  // Without a prefix the record is also the list of keys to load.
  return { selection: hasPrefix ? undefined : new Set(keyOptions.keys()), keyOptions };
}

function checkKey(key: unknown, option: string): string {
  encodeKey(key, option); // rejects non-strings, empty keys and `//`
  const trimmed = (key as string).replace(/^\//, '');
  if (trimmed.endsWith('/')) throw new ConsulOptionError(option, 'a key, not a folder', key);
  return trimmed;
}

function badMode(option: string, value: unknown): ConsulOptionError {
  return new ConsulOptionError(
    option,
    `a parse mode (${PARSE_MODES.join(', ')}) or a function`,
    value,
  );
}

function flag(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConsulOptionError(option, 'a boolean', value);
  return value;
}
