import { type Transport } from '../transport';

/** User events: `/v1/event`. */
export class Event {
  constructor(protected readonly transport: Transport) {}
}
