import { type Duration, formatGoDuration, parseGoDuration, toMillis } from '../duration';
import { ConsulOptionError, type ConsulErrorOptions, ConsulNotFoundError } from '../errors';
import { createdId, decodeConsulJson } from '../internal/json';
import { encodeSegment } from '../internal/path';
import { type QueryOptions, type WithMeta, type WriteOptions, withMeta } from '../query';
import { type Transport } from '../transport';
import {
  wireIndex,
  wireInvalid,
  wireList,
  wireObject,
  wireOneOf,
  wireOptionalAmount,
  wireOptionalString,
  wireString,
  wireStringList,
} from '../internal/wire';
import { mapList, readJson, readBoolean } from './request';

/** What happens to locks held by a session when it is invalidated. */
export type SessionBehavior = 'release' | 'delete';

/** A session (`/v1/session/info`). Durations are milliseconds. */
export interface SessionEntry {
  /** Session ID (a UUID). */
  id: string;
  /** Name given at creation (`''` when none). */
  name: string;
  /** Node the session belongs to. */
  node: string;
  /** Lock delay in ms (Consul reports nanoseconds). */
  lockDelay: number;
  /** What happens to the keys it holds when it is invalidated. */
  behavior: SessionBehavior;
  /** TTL in ms; `undefined` for a session without TTL. */
  ttl: number | undefined;
  /** Node checks the session is bound to (default `serfHealth`). */
  nodeChecks: string[];
  /** Service checks the session is bound to. */
  serviceChecks: Array<{ id: string; namespace: string | undefined }>;
  /** Deprecated `Checks` field (node checks on old agents). */
  checks: string[];
  /** Raft index of the creation. */
  createIndex: number;
  /** Raft index of the last change. */
  modifyIndex: number;
}

/** Options of `consul.session.create`. */
export interface SessionCreateOptions extends WriteOptions {
  /** Human-readable name; make it unique to find (and clean up) leaked sessions. */
  name?: string;
  /** Node the session belongs to (default: the agent's node). */
  node?: string;
  /** Time a released lock stays unacquirable (default 15 s; 0 disables; at most 60 s). */
  lockDelay?: Duration;
  /** `release` (default) or `delete` the locked keys on invalidation. */
  behavior?: SessionBehavior;
  /** Invalidate unless renewed within this period (10 s to 24 h; the server may wait up to 2×). */
  ttl?: Duration;
  /** Node checks to bind (default `['serfHealth']`; `[]` for none). */
  nodeChecks?: readonly string[];
  /** Service checks (by check ID) to bind: critical ⇒ the session is invalidated. */
  serviceChecks?: ReadonlyArray<string | { id: string; namespace?: string }>;
  /** Deprecated node-check list (Go's `CreateNoChecks` sends `[]`). */
  checks?: readonly string[];
}

/** Smallest session TTL Consul accepts (10 s). */
export const SESSION_TTL_MIN_MS = 10_000;
/** Largest session TTL Consul accepts (24 h). */
export const SESSION_TTL_MAX_MS = 86_400_000;
/** Consul never honours a lock delay above this (`MaxLockDelay`). */
export const SESSION_MAX_LOCK_DELAY_MS = 60_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The session is gone (expired, destroyed or invalidated): create a new one; don't retry. */
export class ConsulSessionExpiredError extends ConsulNotFoundError {
  /** ID of the lost session. */
  readonly sessionId: string;

  constructor(sessionId: string, options: ConsulErrorOptions) {
    super(`Consul session ${sessionId} has expired or was destroyed`, options);
    this.sessionId = sessionId;
  }
}

interface SessionWire {
  ID: string;
  Name?: string;
  Node: string;
  LockDelay?: number;
  Behavior?: SessionBehavior;
  TTL?: string;
  NodeChecks?: string[] | null;
  ServiceChecks?: Array<{ ID: string; Namespace?: string }> | null;
  Checks?: string[] | null;
  CreateIndex: number;
  ModifyIndex: number;
}

/**
 * Converts Consul's wire shape to a {@link SessionEntry}; a field of the wrong type (or a TTL that
 * is no Go duration) is a `ConsulProtocolError` naming it.
 */
export function sessionFromWire(wire: SessionWire): SessionEntry {
  const w = wireObject(wire, 'a session');
  const ttlText = wireOptionalString(w, 'TTL');
  const ttl = ttlText ? parseGoDuration(ttlText) : undefined;
  if (ttlText && ttl === undefined) throw wireInvalid(w, 'TTL');
  return {
    id: wireString(w, 'ID'),
    name: wireOptionalString(w, 'Name') ?? '',
    node: wireString(w, 'Node'),
    lockDelay: (wireOptionalAmount(w, 'LockDelay') ?? 0) / 1e6,
    behavior: wireOneOf(w, 'Behavior', ['release', 'delete'], 'release'),
    ttl: ttl === 0 ? undefined : ttl,
    nodeChecks: wireStringList(w, 'NodeChecks'),
    serviceChecks: wireList(w, 'ServiceChecks').map((c) => {
      const check = wireObject(c, 'a session service check');
      return {
        id: wireString(check, 'ID'),
        namespace: wireOptionalString(check, 'Namespace') || undefined,
      };
    }),
    checks: wireStringList(w, 'Checks'),
    createIndex: wireIndex(w, 'CreateIndex'),
    modifyIndex: wireIndex(w, 'ModifyIndex'),
  };
}

/** Validates {@link SessionCreateOptions} and builds the body of `PUT /v1/session/create`. */
export function sessionCreateBody(options: SessionCreateOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (options.name !== undefined) body.Name = stringOption(options.name, 'name');
  if (options.node !== undefined) body.Node = stringOption(options.node, 'node');
  if (options.lockDelay !== undefined) {
    const ms = toMillis(options.lockDelay, 'lockDelay');
    if (ms > SESSION_MAX_LOCK_DELAY_MS) {
      throw new ConsulOptionError('lockDelay', 'a duration of at most 60s', options.lockDelay);
    }
    // Always a string with a unit: a bare JSON number < 1000 would be read as seconds (SES-5).
    body.LockDelay = formatGoDuration(ms);
  }
  if (options.behavior !== undefined) {
    if (options.behavior !== 'release' && options.behavior !== 'delete') {
      throw new ConsulOptionError('behavior', 'release or delete', options.behavior);
    }
    body.Behavior = options.behavior;
  }
  if (options.ttl !== undefined) {
    const ms = toMillis(options.ttl, 'ttl');
    if (ms < SESSION_TTL_MIN_MS || ms > SESSION_TTL_MAX_MS) {
      throw new ConsulOptionError('ttl', 'a duration from 10s to 24h', options.ttl);
    }
    body.TTL = formatGoDuration(ms);
  }
  if (options.nodeChecks !== undefined)
    body.NodeChecks = listOption(options.nodeChecks, 'nodeChecks');
  if (options.checks !== undefined) body.Checks = listOption(options.checks, 'checks');
  if (options.serviceChecks !== undefined) {
    if (!Array.isArray(options.serviceChecks)) {
      throw new ConsulOptionError('serviceChecks', 'an array of check IDs', options.serviceChecks);
    }
    body.ServiceChecks = options.serviceChecks.map((c, i) => {
      const path = `serviceChecks[${i}]`;
      if (typeof c === 'string') return { ID: stringOption(c, path) };
      if (typeof c !== 'object' || c === null) {
        throw new ConsulOptionError(path, 'a check ID or { id, namespace }', c);
      }
      const wire: Record<string, string> = { ID: stringOption(c.id, `${path}.id`) };
      if (c.namespace !== undefined)
        wire.Namespace = stringOption(c.namespace, `${path}.namespace`);
      return wire;
    });
  }
  return body;
}

function stringOption(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new ConsulOptionError(option, 'a non-empty string', value);
  }
  return value;
}

function listOption(value: unknown, option: string): string[] {
  if (!Array.isArray(value)) throw new ConsulOptionError(option, 'an array of check IDs', value);
  return value.map((v, i) => stringOption(v, `${option}[${i}]`));
}

/** The first entry of a session list answer (`null` or `[]`: none). */
/** The session of a one-session answer; an empty list means there is none. */
function firstSession(wire: SessionWire[] | null): SessionEntry | undefined {
  if (wire !== null && !Array.isArray(wire)) throw new TypeError('expected a list of sessions');
  const [first] = wire ?? [];
  return first === undefined ? undefined : sessionFromWire(first);
}

function sessionId(id: unknown): string {
  if (typeof id !== 'string' || !UUID.test(id)) {
    throw new ConsulOptionError('id', 'a session ID (UUID)', id);
  }
  return encodeSegment(id, 'id');
}

/** Sessions: `/v1/session` (the building block of locks and leader election). */
export class SessionApi {
  constructor(protected readonly transport: Transport) {}

  /**
   * Creates a session and resolves its ID. Not idempotent: it is never retried after a failure
   * that may have reached Consul (a retry could leak a session), only after refused connections.
   */
  async create(options: SessionCreateOptions = {}): Promise<string> {
    const res = await this.transport.send({
      method: 'PUT',
      path: '/v1/session/create',
      json: sessionCreateBody(options),
      options,
      idempotent: false,
    });
    return decodeConsulJson(res, createdId);
  }

  /**
   * Renews a TTL session and resolves its entry (adopt its `ttl`: the server may raise it). Throws
   * {@link ConsulSessionExpiredError} when the session no longer exists.
   */
  async renew(id: string, options: WriteOptions = {}): Promise<SessionEntry> {
    const res = await this.transport.send({
      method: 'PUT',
      path: `/v1/session/renew/${sessionId(id)}`,
      options,
      idempotent: true,
      allowStatus: [404],
    });
    const entry = res.status === 404 ? undefined : decodeConsulJson(res, firstSession);
    if (!entry) {
      throw new ConsulSessionExpiredError(id, {
        status: res.status,
        body: res.status === 404 ? res.text.trim() : undefined,
        request: {
          method: 'PUT',
          path: `/v1/session/renew/${id}`,
          address: this.transport.activeAddress,
        },
      });
    }
    return entry;
  }

  /** Destroys a session (releasing or deleting its locks). Consul answers `true` even if unknown. */
  async destroy(id: string, options: WriteOptions = {}): Promise<boolean> {
    const res = await this.transport.send({
      method: 'PUT',
      path: `/v1/session/destroy/${sessionId(id)}`,
      options,
      idempotent: true,
    });
    return readBoolean(res);
  }

  /** Reads a session; `undefined` when it does not exist. Blocking-capable. */
  async info(id: string, options: QueryOptions = {}): Promise<WithMeta<SessionEntry> | undefined> {
    const res = await this.transport.send({
      method: 'GET',
      path: `/v1/session/info/${sessionId(id)}`,
      options,
    });
    options.onMeta?.(res.meta);
    const entry = decodeConsulJson(res, firstSession);
    return entry ? withMeta(entry, res.meta) : undefined;
  }

  /** Every session in the datacenter. Blocking-capable. */
  async list(options: QueryOptions = {}): Promise<WithMeta<SessionEntry[]>> {
    return readJson(
      this.transport,
      { path: '/v1/session/list', map: (w: SessionWire[] | null) => mapList(w, sessionFromWire) },
      options,
    );
  }

  /** Sessions of one node. Blocking-capable. */
  async node(node: string, options: QueryOptions = {}): Promise<WithMeta<SessionEntry[]>> {
    return readJson(
      this.transport,
      {
        path: `/v1/session/node/${encodeSegment(node, 'node')}`,
        map: (w: SessionWire[] | null) => mapList(w, sessionFromWire),
      },
      options,
    );
  }
}
