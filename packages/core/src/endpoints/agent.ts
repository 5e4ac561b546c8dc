import { type Transport } from '../transport';

/** The local agent: `/v1/agent` (services, checks, TTL updates, maintenance). */
export class Agent {
  constructor(protected readonly transport: Transport) {}
}
