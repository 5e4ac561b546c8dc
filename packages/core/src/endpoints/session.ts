import { type Transport } from '../transport';

/** Sessions: `/v1/session`. */
export class Session {
  constructor(protected readonly transport: Transport) {}
}
