import { type Transport } from '../transport';

/** Raft status: `/v1/status`. */
export class Status {
  constructor(protected readonly transport: Transport) {}
}
