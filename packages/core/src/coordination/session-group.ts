import { SessionApi } from '../endpoints/session';
import { type Transport } from '../transport';
import { type CoordinationContext } from './context';
import { ManagedSession, type ManagedSessionOptions } from './managed-session';

/**
 * `consul.session`: the `/v1/session` endpoints plus {@link SessionGroup.renewing}, the managed
 * session the locks are built on.
 */
export class SessionGroup extends SessionApi {
  constructor(
    transport: Transport,
    private readonly context: () => CoordinationContext,
  ) {
    super(transport);
  }

  /**
   * Creates a TTL session that renews itself every TTL/2 until `stop()` (which destroys it), and
   * declares itself lost (`signal` aborts, `lost` event) on a 404 or when renewals keep failing
   * until the TTL would lapse on our clock. Validates options before any request.
   *
   * @example
   * const session = await consul.session.renewing({ ttl: '20s', lockDelay: '5s' });
   * await consul.kv.put('jobs/leader', 'me', { acquire: session.id });
   * await session.stop();
   */
  renewing(options: ManagedSessionOptions = {}): Promise<ManagedSession> {
    return ManagedSession.create(this.context(), options);
  }
}
