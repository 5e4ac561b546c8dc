import { ConsulOptionError, ConsulError, ConsulNotFoundError } from '../errors';
import { encodeSegment } from '../internal/path';
import { type HealthStatus } from '../models/check';
import { type CheckRegistration, checkRegistrationToWire } from '../models/check-definition';
import { type WriteOptions } from '../query';
import { type Transport } from '../transport';

/**
 * "The agent does not know this check" in every form Consul uses (CHK-3): current versions answer
 * 404 `Unknown check ID`; 1.8 answers 500 `CheckID "x" does not have associated TTL` (ACLs off, or a
 * check that is not a TTL check) or 500 `Unknown check "x"` (ACLs on).
 */
const UNKNOWN_CHECK = /does not have associated TTL|unknown check/i;

/** True when `err` means the agent lost (or never had) the check: re-register, don't retry. */
export function isUnknownCheckError(err: unknown): boolean {
  return (
    err instanceof ConsulError &&
    (err.status === 404 || err.status === 500) &&
    UNKNOWN_CHECK.test(err.body ?? '')
  );
}

/** `consul.agent.check`: checks of the local agent, and TTL updates. */
export class AgentChecksApi {
  constructor(private readonly transport: Transport) {}

  /** Registers a standalone check (optionally attached to a service with `serviceId`). */
  async register(check: CheckRegistration, options: WriteOptions = {}): Promise<void> {
    await this.transport.send({
      method: 'PUT',
      path: '/v1/agent/check/register',
      json: checkRegistrationToWire(check),
      options,
      idempotent: true,
    });
  }

  /**
   * Removes a check. Resolves `false` when Consul said it did not know it (current versions;
   * Consul 1.8 answers 200 for unknown checks when ACLs are off).
   */
  async deregister(id: string, options: WriteOptions = {}): Promise<boolean> {
    try {
      const res = await this.transport.send({
        method: 'PUT',
        path: `/v1/agent/check/deregister/${encodeSegment(id, 'id')}`,
        options,
        idempotent: true,
        allowStatus: [404],
      });
      return res.status !== 404;
    } catch (err) {
      if (isUnknownCheckError(err)) return false;
      throw err;
    }
  }

  /**
   * Marks a TTL check passing and resets its TTL. Throws `ConsulNotFoundError` when the agent does
   * not know the check as a TTL check (all Consul versions): re-register the service then.
   */
  pass(id: string, note?: string, options?: WriteOptions): Promise<void> {
    return this.ttl('pass', id, note, options);
  }

  /** Marks a TTL check warning (see {@link AgentChecksApi.pass}). */
  warn(id: string, note?: string, options?: WriteOptions): Promise<void> {
    return this.ttl('warn', id, note, options);
  }

  /** Marks a TTL check critical (see {@link AgentChecksApi.pass}). */
  fail(id: string, note?: string, options?: WriteOptions): Promise<void> {
    return this.ttl('fail', id, note, options);
  }

  /** Sets a TTL check's status and output in one call (Go's `UpdateTTL`). */
  async update(
    id: string,
    status: HealthStatus,
    output?: string,
    options: WriteOptions = {},
  ): Promise<void> {
    if (status !== 'passing' && status !== 'warning' && status !== 'critical') {
      throw new ConsulOptionError('status', 'passing, warning or critical', status);
    }
    if (output !== undefined && typeof output !== 'string') {
      throw new ConsulOptionError('output', 'a string', output);
    }
    await this.sendTtl(`/v1/agent/check/update/${encodeSegment(id, 'id')}`, id, options, {
      json: output === undefined ? { Status: status } : { Status: status, Output: output },
    });
  }

  private async ttl(
    verb: 'pass' | 'warn' | 'fail',
    id: string,
    note: string | undefined,
    options: WriteOptions = {},
  ): Promise<void> {
    if (note !== undefined && typeof note !== 'string') {
      throw new ConsulOptionError('note', 'a string', note);
    }
    await this.sendTtl(`/v1/agent/check/${verb}/${encodeSegment(id, 'id')}`, id, options, {
      query: { note: note || undefined },
    });
  }

  private async sendTtl(
    path: string,
    id: string,
    options: WriteOptions,
    body: { json?: unknown; query?: Record<string, string | undefined> },
  ): Promise<void> {
    try {
      await this.transport.send({ method: 'PUT', path, ...body, options, idempotent: true });
    } catch (err) {
      if (!isUnknownCheckError(err)) throw err;
      const e = err as ConsulError;
      throw new ConsulNotFoundError(
        `Consul agent does not know TTL check "${id}" (re-register it): ${e.body ?? ''}`.trim(),
        { status: e.status, body: e.body, request: e.request, cause: err },
      );
    }
  }
}
