import { decodeConsulJson, stringList } from '../internal/json';
import { type CallOptions } from '../query';
import { type Transport } from '../transport';

/** Raft status: `/v1/status`. A cheap reachability probe of the agent and its servers. */
export class StatusApi {
  constructor(protected readonly transport: Transport) {}

  /** The Raft leader's RPC address (`ip:port`), or `''` while there is none. */
  async leader(options: CallOptions = {}): Promise<string> {
    const res = await this.transport.send({ method: 'GET', path: '/v1/status/leader', options });
    return decodeConsulJson(res, (wire: string | null) => {
      if (wire !== null && typeof wire !== 'string') throw new TypeError('not a string');
      return wire ?? '';
    });
  }

  /** RPC addresses of the Raft peers (the servers). */
  async peers(options: CallOptions = {}): Promise<string[]> {
    const res = await this.transport.send({ method: 'GET', path: '/v1/status/peers', options });
    return decodeConsulJson(res, (wire: string[] | null) => stringList(wire ?? []));
  }
}
