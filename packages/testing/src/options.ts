import { ConsulHarnessOptionError } from './errors';
import { type HarnessLogger } from './log';

/** Options shared by {@link startConsul} and {@link startCluster}. Every field is optional. */
export interface CommonAgentOptions {
  /** Extra HCL snippets passed to every agent with `-hcl`. */
  extraConfig?: string | readonly string[];
  /** Datacenter name. Default `dc1`. */
  datacenter?: string;
  /** How long to wait for a leader, in ms. Default 30 000 (60 000 for a cluster). */
  startTimeout?: number;
  /** Path of the consul binary. Default: the one {@link ensureConsulBinary} finds. */
  binary?: string;
  /** Where harness messages (binary chosen, agents started, crash logs) go. Default: stderr. */
  logger?: HarnessLogger;
}

const COMMON_KEYS = ['extraConfig', 'datacenter', 'startTimeout', 'binary', 'logger'] as const;

/** Checks `options` is undefined or a plain object whose keys are all in `known`. */
export function optionRecord(
  options: unknown,
  known: readonly string[],
  fn: string,
): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConsulHarnessOptionError('options', 'an object', options);
  }
  const o = options as Record<string, unknown>;
  const allowed = [...COMMON_KEYS, ...known];
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      throw new ConsulHarnessOptionError(key, `an option of ${fn} (${allowed.join(', ')})`, o[key]);
    }
  }
  return o;
}

/** Throws a {@link ConsulHarnessOptionError} when a field of `o` is present and not a boolean. */
export function checkBooleans(o: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') {
      throw new ConsulHarnessOptionError(key, 'a boolean', o[key]);
    }
  }
}

/** Throws when `o[key]` is present and not an integer within `[min, max]`. */
export function checkInteger(
  o: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
): void {
  const v = o[key];
  if (v !== undefined && !(Number.isInteger(v) && (v as number) >= min && (v as number) <= max)) {
    throw new ConsulHarnessOptionError(key, `an integer from ${min} to ${max}`, v);
  }
}

/** Throws when `o[key]` is present and not a name of letters, digits, `_`, `.` or `-`. */
export function checkName(o: Record<string, unknown>, key: string): void {
  const v = o[key];
  if (v !== undefined && (typeof v !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(v))) {
    throw new ConsulHarnessOptionError(key, 'a non-empty name of [A-Za-z0-9_.-]', v);
  }
}

/** Validates the {@link CommonAgentOptions} fields of `o`. */
export function validateCommonOptions(o: Record<string, unknown>): void {
  const extra = o.extraConfig;
  if (
    extra !== undefined &&
    typeof extra !== 'string' &&
    !(Array.isArray(extra) && extra.every((e) => typeof e === 'string'))
  ) {
    throw new ConsulHarnessOptionError('extraConfig', 'an HCL string or an array of them', extra);
  }
  checkName(o, 'datacenter');
  if (o.binary !== undefined && (typeof o.binary !== 'string' || o.binary.length === 0)) {
    throw new ConsulHarnessOptionError('binary', 'the path of a consul executable', o.binary);
  }
  const timeout = o.startTimeout;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0))) {
    throw new ConsulHarnessOptionError(
      'startTimeout',
      'a positive number of milliseconds',
      timeout,
    );
  }
  if (o.logger !== undefined && typeof o.logger !== 'function') {
    throw new ConsulHarnessOptionError('logger', 'a function', o.logger);
  }
}

/** `extraConfig` as a list. */
export function extraConfigList(extra: string | readonly string[] | undefined): string[] {
  return typeof extra === 'string' ? [extra] : [...(extra ?? [])];
}
