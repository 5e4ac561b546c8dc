import { type Transport } from '../transport';

/** Transactions: `/v1/txn`. */
export class Txn {
  constructor(protected readonly transport: Transport) {}
}
