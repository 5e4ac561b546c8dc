import { type Transport } from '../transport';

/** Health: `/v1/health` (the discovery call). */
export class Health {
  constructor(protected readonly transport: Transport) {}
}
