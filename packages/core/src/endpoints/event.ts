import { ConsulOptionError } from '../errors';
import { decodeConsulJson } from '../internal/json';
import { encodeSegment } from '../internal/path';
import { type QueryOptions, type WithMeta, type WriteOptions } from '../query';
import { type Transport } from '../transport';
import {
  wireIndex,
  wireInteger,
  wireObject,
  wireOptionalString,
  wireString,
} from '../internal/wire';
import { mapList, readJson } from './request';

/** A user event (gossip-delivered, best effort, kept in a small in-memory buffer per agent). */
export interface UserEvent {
  id: string;
  name: string;
  /** The payload as UTF-8 text; `null` when there is none. */
  payload: string | null;
  /** The payload's bytes; `null` when there is none. */
  rawPayload: Buffer | null;
  /** Regular expressions limiting which nodes/services/tags handle the event (empty: all). */
  nodeFilter: string;
  serviceFilter: string;
  tagFilter: string;
  version: number;
  /** Lamport time of the event in the gossip pool. */
  lTime: number;
}

/** Options of `consul.event.fire`. */
export interface EventFireOptions extends WriteOptions {
  /** Only nodes whose name matches this regular expression. */
  node?: string;
  /** Only nodes running a service matching this regular expression. */
  service?: string;
  /** With `service`: only instances with a tag matching this regular expression. */
  tag?: string;
}

/** Options of `consul.event.list`. */
export interface EventListOptions extends QueryOptions {
  /** Only events with this name. */
  name?: string;
}

interface UserEventWire {
  ID: string;
  Name: string;
  Payload: string | null;
  NodeFilter: string;
  ServiceFilter: string;
  TagFilter: string;
  Version: number;
  LTime: number;
}

/** Converts Consul's wire shape to a {@link UserEvent} (the payload is base64 on the wire). */
export function userEventFromWire(wire: UserEventWire): UserEvent {
  const w = wireObject(wire, 'a user event');
  const payload = wireOptionalString(w, 'Payload');
  const rawPayload = payload ? Buffer.from(payload, 'base64') : null;
  return {
    id: wireString(w, 'ID'),
    name: wireString(w, 'Name'),
    payload: rawPayload === null ? null : rawPayload.toString('utf8'),
    rawPayload,
    nodeFilter: wireOptionalString(w, 'NodeFilter') ?? '',
    serviceFilter: wireOptionalString(w, 'ServiceFilter') ?? '',
    tagFilter: wireOptionalString(w, 'TagFilter') ?? '',
    version: wireInteger(w, 'Version'),
    lTime: wireIndex(w, 'LTime'),
  };
}

/** User events: `/v1/event`. */
export class EventApi {
  constructor(protected readonly transport: Transport) {}

  /** Fires an event. Not retried after an ambiguous failure (it would fire twice). */
  async fire(
    name: string,
    payload?: string | Uint8Array,
    options: EventFireOptions = {},
  ): Promise<UserEvent> {
    if (payload !== undefined && typeof payload !== 'string' && !(payload instanceof Uint8Array)) {
      throw new ConsulOptionError('payload', 'a string or bytes', payload);
    }
    if (options.tag !== undefined && options.service === undefined) {
      throw new ConsulOptionError('tag', 'used together with service', options.tag);
    }
    const res = await this.transport.send({
      method: 'PUT',
      path: `/v1/event/fire/${encodeSegment(name, 'name')}`,
      query: { node: options.node, service: options.service, tag: options.tag },
      raw: payload ?? '',
      options,
      idempotent: false,
    });
    return decodeConsulJson(res, userEventFromWire);
  }

  /**
   * Recent events the local agent has seen (oldest first). Consul's index for this endpoint is a
   * hash of the last event ID, not a Raft index: compare IDs rather than ordering by index.
   */
  async list(options: EventListOptions = {}): Promise<WithMeta<UserEvent[]>> {
    return readJson(
      this.transport,
      {
        path: '/v1/event/list',
        query: { name: options.name },
        map: (w: UserEventWire[] | null) => mapList(w, userEventFromWire),
      },
      options,
    );
  }
}
