import { type AgentApi } from '../endpoints/agent';
import { type KvApi } from '../endpoints/kv';
import { type SessionApi } from '../endpoints/session';
import { type TxnApi } from '../endpoints/txn';
import { type ConsulLogger } from '../logger';

/**
 * What the coordination recipes need from a `Consul` client: its endpoint groups, its logger and its
 * close hook. `Consul` satisfies it; the recipes never send HTTP themselves.
 */
export interface CoordinationContext {
  /** The local agent: sessions' liveness checks are registered and passed there. */
  readonly agent: AgentApi;
  readonly kv: KvApi;
  readonly session: SessionApi;
  readonly txn: TxnApi;
  readonly options: { readonly logger: ConsulLogger };
  /** Runs `closer` when the client closes; returns a function that unregisters it. */
  onClose(closer: () => Promise<void> | void): () => void;
}

/** Monotonic milliseconds: immune to wall-clock jumps, which matters for TTL deadlines. */
export function now(): number {
  return performance.now();
}
