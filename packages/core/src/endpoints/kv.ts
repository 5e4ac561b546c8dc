import { ConsulOptionError, ConsulProtocolError } from '../errors';
import { decodeConsulJson, parseConsulJson, stringList, toFlags } from '../internal/json';
import { encodeKey } from '../internal/path';
import {
  type QueryMeta,
  type QueryOptions,
  type WithMeta,
  type WriteOptions,
  withMeta,
} from '../query';
import { type Transport } from '../transport';
import { readBoolean } from './request';

/** One KV entry. `value` is the UTF-8 text of `rawValue`. */
export interface KvEntry {
  /** The full key. */
  key: string;
  /** The value as UTF-8 text; `null` for an empty value. */
  value: string | null;
  /** The value's bytes; `null` for an empty value. */
  rawValue: Buffer | null;
  /** Opaque uint64 (locks use it as a type marker); lossless. */
  flags: bigint;
  /** Index of the write that created the key. */
  createIndex: number;
  /** Index of the last write: feed it to `cas`. */
  modifyIndex: number;
  /** Successful lock acquisitions since the last non-lock write. Not a fencing token. */
  lockIndex: number;
  /** Session holding the lock, if any. */
  session: string | undefined;
}

/** Options of {@link KvApi.put}. */
export interface KvPutOptions extends WriteOptions {
  /** Write only if the key's ModifyIndex is this (0: only if absent). */
  cas?: number;
  /** Opaque uint64 stored with the value. */
  flags?: bigint | number;
  /** Acquire the lock on the key for this session. */
  acquire?: string;
  /** Release the lock held by this session. */
  release?: string;
}

/** Options of {@link KvApi.delete}. */
export interface KvDeleteOptions extends WriteOptions {
  /** Delete every key with this prefix. */
  recurse?: boolean;
  /** Delete only if the ModifyIndex matches (`0` never deletes). */
  cas?: number;
}

/** Options of {@link KvApi.keys}. */
export interface KvKeysOptions extends QueryOptions {
  /** Fold keys below this separator into `"prefix/"` entries. */
  separator?: string;
}

/** Consul's wire shape of a KV entry. */
export interface KvWireEntry {
  Key: string;
  /** A number, or a digit string when beyond 2^53 (see parseConsulJson). */
  Flags: number | string | bigint;
  Value: string | null;
  CreateIndex: number;
  ModifyIndex: number;
  LockIndex: number;
  Session?: string;
}

/** Largest value Consul accepts by default (`kv_max_value_size`). */
export const KV_MAX_VALUE_SIZE = 512 * 1024;

/**
 * Converts Consul's wire shape to a {@link KvEntry}. A malformed entry (not an object, `Key` not a
 * string, an index that is not a non-negative integer, `Value` or `Session` not a string) throws a
 * `ConsulProtocolError` naming the field, so config stores and watches keep their last good value.
 */
export function kvEntryFromWire(wire: KvWireEntry): KvEntry {
  checkWireEntry(wire);
  const rawValue = decodeValue(wire.Value);
  return {
    key: wire.Key,
    value: rawValue === null ? null : rawValue.toString('utf8'),
    rawValue,
    flags: toFlags(wire.Flags),
    createIndex: wire.CreateIndex,
    modifyIndex: wire.ModifyIndex,
    lockIndex: wire.LockIndex,
    session: wire.Session,
  };
}

function decodeValue(value: string | null | undefined): Buffer | null {
  return value === null || value === undefined ? null : Buffer.from(value, 'base64');
}

/**
 * The entry of a single-key read. Same own enumerable fields as {@link kvEntryFromWire}'s plain
 * object; `meta` is a prototype getter over a private slot instead of a non-enumerable own property:
 * `Object.defineProperty` per read cost 1–3 µs of a ≈ 100 µs `kv.get`, the class costs nothing.
 * Invisible to `Object.keys`, `JSON.stringify`, jest's `toEqual` and spreading, like before; two
 * reads of the same key share the prototype, so the watches' `deepEqual` still compares them by
 * value. List and transaction entries stay plain objects (no `meta` of their own).
 */
class ReadKvEntry implements KvEntry {
  key: string;
  value: string | null;
  rawValue: Buffer | null;
  flags: bigint;
  createIndex: number;
  modifyIndex: number;
  lockIndex: number;
  session: string | undefined;
  readonly #meta: QueryMeta;

  constructor(wire: KvWireEntry, meta: QueryMeta) {
    const rawValue = decodeValue(wire.Value);
    this.key = wire.Key;
    this.value = rawValue === null ? null : rawValue.toString('utf8');
    this.rawValue = rawValue;
    this.flags = toFlags(wire.Flags);
    this.createIndex = wire.CreateIndex;
    this.modifyIndex = wire.ModifyIndex;
    this.lockIndex = wire.LockIndex;
    this.session = wire.Session;
    this.#meta = meta;
  }

  /** The read's metadata (index, leader contact, cache state). */
  get meta(): QueryMeta {
    return this.#meta;
  }
}

// Runs for every entry of every KV read (10,000 per change of a large config prefix): no closures,
// no per-call arrays.
function checkWireEntry(wire: unknown): asserts wire is KvWireEntry {
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) throw badField('entry');
  const w = wire as Record<string, unknown>;
  if (typeof w.Key !== 'string') throw badField('Key');
  if (!isIndex(w.CreateIndex)) throw badField('CreateIndex');
  if (!isIndex(w.ModifyIndex)) throw badField('ModifyIndex');
  if (!isIndex(w.LockIndex)) throw badField('LockIndex');
  if (w.Value !== null && w.Value !== undefined && typeof w.Value !== 'string') {
    throw badField('Value');
  }
  if (w.Session !== undefined && typeof w.Session !== 'string') throw badField('Session');
  const flags = w.Flags;
  if (
    flags !== undefined &&
    flags !== null &&
    typeof flags !== 'bigint' &&
    !(typeof flags === 'number' && Number.isSafeInteger(flags) && flags >= 0) &&
    !(typeof flags === 'string' && /^\d+$/.test(flags))
  ) {
    throw badField('Flags');
  }
}

function isIndex(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function badField(field: string): ConsulProtocolError {
  return new ConsulProtocolError(`Consul answered a KV entry with an invalid "${field}"`);
}

/**
 * Parses a KV read's answer (a list of entries, `Flags` at the top of each). Hot path: plain
 * `JSON.parse` first, then a look at each entry's `Flags`; a number beyond 2^53 (rounded by the
 * parse) sends the body through the lossless {@link parseConsulJson} instead. Cheaper than scanning
 * the body before parsing, and exactly as lossless.
 */
export function parseKvEntries(text: string): KvWireEntry[] {
  const wire = JSON.parse(text) as unknown;
  if (!Array.isArray(wire)) return parseConsulJson<KvWireEntry[]>(text);
  for (let i = 0; i < wire.length; i++) {
    const flags = (wire[i] as { Flags?: unknown } | null)?.Flags;
    if (typeof flags === 'number' && !Number.isSafeInteger(flags)) {
      return parseConsulJson<KvWireEntry[]>(text);
    }
  }
  return wire as KvWireEntry[];
}

/** The one entry of a single-key read (Consul answers a list); a non-list is a shape error. */
function firstEntry(wire: KvWireEntry[], meta: QueryMeta): WithMeta<KvEntry> | undefined {
  if (!Array.isArray(wire)) throw new TypeError('expected a list of KV entries');
  const first: unknown = wire[0];
  if (!first) return undefined;
  checkWireEntry(first);
  return new ReadKvEntry(first, meta);
}

// A missing key is an answer, not an error (one shared list: reads never mutate it).
const NOT_FOUND_IS_AN_ANSWER: readonly number[] = [404];

/** The KV store: `/v1/kv`. */
export class KvApi {
  constructor(private readonly transport: Transport) {}

  /** Reads one key; `undefined` when it does not exist (the answer's index still reaches `onMeta`). */
  async get(key: string, options: QueryOptions = {}): Promise<WithMeta<KvEntry> | undefined> {
    const res = await this.transport.send({
      method: 'GET',
      path: `/v1/kv/${encodeKey(key)}`,
      options,
      allowStatus: NOT_FOUND_IS_AN_ANSWER,
    });
    options.onMeta?.(res.meta);
    if (res.status === 404) return undefined;
    return decodeConsulJson(
      res,
      (wire: KvWireEntry[]) => firstEntry(wire, res.meta),
      parseKvEntries,
    );
  }

  /** Reads every key under `prefix` (a plain string prefix: end it with `/` for folders). */
  async list(prefix: string, options: QueryOptions = {}): Promise<WithMeta<KvEntry[]>> {
    const res = await this.transport.send({
      method: 'GET',
      path: `/v1/kv/${encodeKey(prefix, 'prefix', true)}`,
      query: { recurse: true },
      options,
      allowStatus: NOT_FOUND_IS_AN_ANSWER,
    });
    options.onMeta?.(res.meta);
    const entries =
      res.status === 404
        ? []
        : decodeConsulJson(res, (wire: KvWireEntry[]) => wire.map(kvEntryFromWire), parseKvEntries);
    return withMeta(entries, res.meta);
  }

  /** Lists key names under `prefix`; with `separator`, deeper keys fold into `"prefix/"`. */
  async keys(prefix: string, options: KvKeysOptions = {}): Promise<WithMeta<string[]>> {
    const res = await this.transport.send({
      method: 'GET',
      path: `/v1/kv/${encodeKey(prefix, 'prefix', true)}`,
      query: { keys: true, separator: options.separator },
      options,
      allowStatus: NOT_FOUND_IS_AN_ANSWER,
    });
    options.onMeta?.(res.meta);
    const keys = res.status === 404 ? [] : decodeConsulJson(res, stringList);
    return withMeta(keys, res.meta);
  }

  /**
   * Writes a value. Resolves `false` when a `cas`, `acquire` or `release` condition did not hold
   * (a business result, not an error).
   */
  async put(key: string, value: string | Uint8Array, options: KvPutOptions = {}): Promise<boolean> {
    const encodedKey = encodeKey(key);
    if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
      throw new ConsulOptionError('value', 'a string or bytes', value);
    }
    const size = typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
    if (size > KV_MAX_VALUE_SIZE) {
      throw new ConsulOptionError(
        'value',
        `at most ${KV_MAX_VALUE_SIZE} bytes (kv_max_value_size)`,
        `${size} bytes`,
      );
    }
    const res = await this.transport.send({
      method: 'PUT',
      path: `/v1/kv/${encodedKey}`,
      query: {
        cas: checkIndex(options.cas, 'cas'),
        flags: checkFlags(options.flags),
        acquire: options.acquire,
        release: options.release,
      },
      raw: value,
      options,
      // A plain put is idempotent; a CAS or lock write is safe to repeat only before it was sent.
      idempotent: options.cas === undefined && !options.acquire && !options.release,
    });
    return readBoolean(res);
  }

  /** Deletes a key (or a prefix with `recurse`). Resolves `false` when a `cas` did not match. */
  async delete(key: string, options: KvDeleteOptions = {}): Promise<boolean> {
    if (options.recurse && options.cas !== undefined) {
      throw new ConsulOptionError('cas', 'not combined with recurse', options.cas);
    }
    const res = await this.transport.send({
      method: 'DELETE',
      path: `/v1/kv/${encodeKey(key, 'key', options.recurse === true)}`,
      query: { recurse: options.recurse, cas: checkIndex(options.cas, 'cas') },
      options,
      idempotent: options.cas === undefined,
    });
    return readBoolean(res);
  }
}

function checkIndex(value: number | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ConsulOptionError(option, 'a non-negative integer index', value);
  }
  return value;
}

function checkFlags(value: bigint | number | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  const big = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
  if (big < 0n || big > 0xffffffffffffffffn) {
    throw new ConsulOptionError('flags', 'an unsigned 64-bit integer', value);
  }
  return big;
}
