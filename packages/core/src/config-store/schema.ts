import { type ConfigIssue, ConsulConfigValidationError } from './errors';

/**
 * The Standard Schema v1 interface (https://standardschema.dev), copied as its authors intend so
 * that zod ≥ 3.24, valibot, arktype and others validate config without us depending on any of them.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The spec's entry point: version, vendor, `validate()` and (type-only) input/output types. */
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => StandardSchemaV1.Result<Output> | Promise<StandardSchemaV1.Result<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** Types of the Standard Schema v1 interface. */
// eslint-disable-next-line @typescript-eslint/no-namespace -- the spec's own shape (types only)
export declare namespace StandardSchemaV1 {
  /** A validation result: the (possibly transformed) value, or issues. */
  export type Result<Output> =
    | { readonly value: Output; readonly issues?: undefined }
    | { readonly issues: ReadonlyArray<Issue> };
  /** One problem. */
  export interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  /** A path segment given as an object. */
  export interface PathSegment {
    readonly key: PropertyKey;
  }
  /** The output type a schema produces. */
  export type InferOutput<S extends StandardSchemaV1> = NonNullable<
    S['~standard']['types']
  >['output'];
}

/**
 * A function schema: receives the whole candidate snapshot (`key → value`) and returns it (or a
 * transformed copy), or returns nothing to accept it as is; throws to reject it. May be async.
 */
export type ConfigSchemaFunction<T> = (
  values: Readonly<Record<string, unknown>>,
) => T | void | Promise<T | void>;

/** What `schema` accepts: a function or a Standard Schema v1 validator (zod, valibot, …). */
export type ConfigSchema<T> = ConfigSchemaFunction<T> | StandardSchemaV1<unknown, T>;

/** Whether `value` looks like a Standard Schema v1 validator (detected by shape). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const std = (value as { '~standard'?: unknown })['~standard'];
  return (
    typeof std === 'object' &&
    std !== null &&
    typeof (std as { validate?: unknown }).validate === 'function'
  );
}

/**
 * Validates a candidate snapshot. Resolves with the values to publish (the schema's output when it
 * returned one), or rejects with a {@link ConsulConfigValidationError} naming the keys it blamed —
 * `changed` when it blamed none.
 */
export async function validateSnapshot(
  schema: ConfigSchema<unknown>,
  values: Readonly<Record<string, unknown>>,
  changed: readonly string[],
): Promise<Readonly<Record<string, unknown>>> {
  if (isStandardSchema(schema)) {
    let result: StandardSchemaV1.Result<unknown>;
    try {
      result = await schema['~standard'].validate(values);
    } catch (err) {
      throw thrownError(err, changed);
    }
    if (result.issues) {
      const issues = result.issues.map(toIssue);
      throw new ConsulConfigValidationError(blamed(issues, changed), issues);
    }
    return asRecord(result.value, changed);
  }
  let output: unknown;
  try {
    output = await schema(values);
  } catch (err) {
    throw thrownError(err, changed);
  }
  return output === undefined ? values : asRecord(output, changed);
}

function toIssue(issue: StandardSchemaV1.Issue): ConfigIssue {
  const path = (issue.path ?? []).map((seg) =>
    typeof seg === 'object' && seg !== null ? seg.key : seg,
  );
  return { message: issue.message, path };
}

/** Keys blamed by the issues (first path segment), in order, without repeats. */
function blamed(issues: readonly ConfigIssue[], changed: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const issue of issues) {
    const first = issue.path[0];
    if (typeof first === 'string' || typeof first === 'number') keys.add(String(first));
  }
  return keys.size > 0 ? [...keys] : [...changed];
}

function thrownError(err: unknown, changed: readonly string[]): ConsulConfigValidationError {
  if (err instanceof ConsulConfigValidationError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // A schema function may say which key it rejects by throwing an error with a string `key`.
  const named = (err as { key?: unknown } | null)?.key;
  const keys = typeof named === 'string' ? [named] : [...changed];
  return new ConsulConfigValidationError(keys, [{ message, path: keys.slice(0, 1) }], err);
}

function asRecord(value: unknown, changed: readonly string[]): Readonly<Record<string, unknown>> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  throw new ConsulConfigValidationError(
    [...changed],
    [{ message: 'the schema must return an object of config keys', path: [] }],
  );
}
