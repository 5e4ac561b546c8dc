import { type Transport } from '../transport';

/** The catalog: `/v1/catalog`. */
export class Catalog {
  constructor(protected readonly transport: Transport) {}
}
