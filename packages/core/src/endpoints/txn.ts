import { ConsulOptionError } from '../errors';
import { decodeConsulJson } from '../internal/json';
import { wireList, wireObject } from '../internal/wire';
import { type QueryOptions, type WithMeta, type WriteOptions, withMeta } from '../query';
import { type Transport } from '../transport';
import { KV_MAX_VALUE_SIZE, type KvEntry, type KvWireEntry, kvEntryFromWire } from './kv';

/** A KV value: text (sent as UTF-8) or bytes. */
export type TxnValue = string | Uint8Array;

/** One KV operation of a transaction (Consul's KV verbs, camelCase fields). */
export type TxnKvOp =
  /** Write a value. */
  | { verb: 'set'; key: string; value: TxnValue; flags?: bigint | number }
  /** Write only if the key's ModifyIndex is `index` (0: only if absent). */
  | { verb: 'cas'; key: string; value: TxnValue; index: number; flags?: bigint | number }
  /** Acquire the key's lock for `session` (and write the value). */
  | { verb: 'lock'; key: string; session: string; value?: TxnValue; flags?: bigint | number }
  /** Release the key's lock held by `session` (and write the value). */
  | { verb: 'unlock'; key: string; session: string; value?: TxnValue; flags?: bigint | number }
  /** Read a key; the transaction fails if it does not exist. */
  | { verb: 'get'; key: string }
  /** Read a key; an absent key yields an entry with a null value (Consul 1.9+; 1.8 rolls back with `unknown KV verb`). */
  | { verb: 'get-or-empty'; key: string }
  /** Read every key under a prefix. */
  | { verb: 'get-tree'; key: string }
  /** Fail unless the key's ModifyIndex is `index`. */
  | { verb: 'check-index'; key: string; index: number }
  /** Fail unless `session` holds the key's lock (fencing writes to a leader's data). */
  | { verb: 'check-session'; key: string; session: string }
  /** Fail if the key exists. */
  | { verb: 'check-not-exists'; key: string }
  /** Delete a key (no result entry). */
  | { verb: 'delete'; key: string }
  /** Delete every key under a prefix (no result entry). */
  | { verb: 'delete-tree'; key: string }
  /** Delete only if the key's ModifyIndex is `index` (no result entry). */
  | { verb: 'delete-cas'; key: string; index: number };

/** A transaction operation (KV only for now). */
export type TxnOp = TxnKvOp;

/** Options of a transaction. Read-only transactions also accept `stale`/`consistent`. */
export interface TxnOptions extends WriteOptions, Pick<QueryOptions, 'stale' | 'consistent'> {}

/** A committed transaction: one entry per operation that yields one (deletes don't), in order. */
export interface TxnResult {
  /** KV entries as the transaction left them (`value` is `null` except for `get*` verbs). */
  results: KvEntry[];
}

/** Most operations Consul 1.8–1.13 accept in one transaction (1.14+ accepts 128). */
export const TXN_MAX_OPS = 64;

const READ_ONLY = new Set([
  'get',
  'get-or-empty',
  'get-tree',
  'check-index',
  'check-session',
  'check-not-exists',
]);
const TREE = new Set(['get-tree', 'delete-tree']);
const WITH_VALUE = new Set(['set', 'cas', 'lock', 'unlock']);
const WITH_INDEX = new Set(['cas', 'check-index', 'delete-cas']);
const WITH_SESSION = new Set(['lock', 'unlock', 'check-session']);
const VERBS = new Set([
  ...READ_ONLY,
  'set',
  'cas',
  'lock',
  'unlock',
  'delete',
  'delete-tree',
  'delete-cas',
]);

/** Validates one operation and builds its wire form `{ KV: { Verb, Key, ... } }`. */
export function txnOpToWire(op: unknown, i: number): { KV: Record<string, unknown> } {
  const path = `ops[${i}]`;
  if (typeof op !== 'object' || op === null) throw new ConsulOptionError(path, 'an operation', op);
  const o = op as Record<string, unknown>;
  const verb = o.verb;
  if (typeof verb !== 'string' || !VERBS.has(verb)) {
    throw new ConsulOptionError(`${path}.verb`, `a KV verb (${[...VERBS].join(', ')})`, verb);
  }
  const kv: Record<string, unknown> = {
    Verb: verb,
    Key: txnKey(o.key, `${path}.key`, TREE.has(verb)),
  };
  if (WITH_VALUE.has(verb)) {
    if (o.value !== undefined || verb === 'set' || verb === 'cas') {
      kv.Value = encodeValue(o.value, `${path}.value`);
    }
    if (o.flags !== undefined) kv.Flags = txnFlags(o.flags, `${path}.flags`);
  }
  if (WITH_INDEX.has(verb)) {
    if (typeof o.index !== 'number' || !Number.isSafeInteger(o.index) || o.index < 0) {
      throw new ConsulOptionError(`${path}.index`, 'a non-negative integer index', o.index);
    }
    kv.Index = o.index;
  }
  if (WITH_SESSION.has(verb)) {
    if (typeof o.session !== 'string' || o.session === '') {
      throw new ConsulOptionError(`${path}.session`, 'a session ID', o.session);
    }
    kv.Session = o.session;
  }
  return { KV: kv };
}

function txnKey(key: unknown, path: string, allowEmpty: boolean): string {
  if (typeof key !== 'string') throw new ConsulOptionError(path, 'a string key', key);
  const trimmed = key.startsWith('/') ? key.slice(1) : key;
  if (trimmed === '' && !allowEmpty) throw new ConsulOptionError(path, 'a non-empty key', key);
  return trimmed;
}

function encodeValue(value: unknown, path: string): string {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new ConsulOptionError(path, 'a string or bytes', value);
  }
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  if (bytes.byteLength > KV_MAX_VALUE_SIZE) {
    throw new ConsulOptionError(
      path,
      `at most ${KV_MAX_VALUE_SIZE} bytes`,
      `${bytes.byteLength} bytes`,
    );
  }
  return bytes.toString('base64');
}

function txnFlags(value: unknown, path: string): bigint {
  const big =
    typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value as number) : -1n;
  if (big < 0n || big > 0xffffffffffffffffn) {
    throw new ConsulOptionError(path, 'an unsigned 64-bit integer', value);
  }
  return big; // written as a bare JSON number by stringifyConsulJson, digits intact
}

interface TxnWire {
  Results: Array<{ KV?: KvWireEntry }> | null;
}

/**
 * Transactions: `/v1/txn`. Call it (`consul.txn(ops)`) or use `consul.txn.run(ops)`. All operations
 * commit or none do; a rollback throws `ConsulConflictError` whose `errors` list
 * `{ opIndex, what }` for each failed operation.
 */
// The constructor returns a real callable, so the merged call signature is implemented.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface TxnApi {
  (ops: readonly TxnOp[], options?: TxnOptions): Promise<WithMeta<TxnResult>>;
}

/** Transactions: `/v1/txn` (see the call signature above). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class TxnApi {
  protected readonly transport: Transport;

  constructor(transport: Transport) {
    // A callable instance: `consul.txn(ops)` and `consul.txn.run(ops)` are the same call.
    const callable = ((ops: readonly TxnOp[], options?: TxnOptions) =>
      TxnApi.prototype.run.call(callable, ops, options)) as TxnApi;
    Object.setPrototypeOf(callable, new.target.prototype);
    Object.defineProperty(callable, 'transport', { value: transport });
    this.transport = transport;
    return callable;
  }

  /**
   * Runs operations atomically. Rejects more than {@link TXN_MAX_OPS} operations before sending
   * (`ConsulOptionError`). Only read-only transactions are retried after an ambiguous failure.
   */
  async run(ops: readonly TxnOp[], options: TxnOptions = {}): Promise<WithMeta<TxnResult>> {
    if (!Array.isArray(ops) || ops.length === 0) {
      throw new ConsulOptionError('ops', 'a non-empty array of operations', ops);
    }
    if (ops.length > TXN_MAX_OPS) {
      throw new ConsulOptionError(
        'ops',
        `at most ${TXN_MAX_OPS} operations (Consul's limit before 1.14; split the work)`,
        `${ops.length} operations`,
      );
    }
    const body = ops.map(txnOpToWire);
    const res = await this.transport.send({
      method: 'PUT',
      path: '/v1/txn',
      json: body,
      options,
      idempotent: ops.every((op) => READ_ONLY.has(op.verb)),
    });
    const results = decodeConsulJson(res, (wire: TxnWire) =>
      wireList(wireObject(wire, 'a transaction result'), 'Results').flatMap((r) => {
        const kv = wireObject(r, 'a transaction result').fields.KV;
        return kv === undefined || kv === null ? [] : [kvEntryFromWire(kv as KvWireEntry)];
      }),
    );
    return withMeta({ results }, res.meta);
  }
}
