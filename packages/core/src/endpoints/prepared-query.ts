import { type Transport } from '../transport';

/** Prepared queries: `/v1/query`. */
export class PreparedQuery {
  constructor(protected readonly transport: Transport) {}
}
