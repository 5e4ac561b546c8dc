import { performance } from 'node:perf_hooks';
import {
  DIAGNOSTIC_CHANNELS,
  publish,
  type DiagnosticInstance,
  type HttpEjectMessage,
  type HttpReadmitMessage,
} from '../diagnostics';
import type { ServiceInstance } from '../models/service-instance';
import type { ConsulLogger } from '../logger';
import type { ResolvedEjection } from './service-client-options';

interface InstanceHealth {
  instance: DiagnosticInstance;
  /** Failures since the last success. */
  failures: number;
  /** Ejections in a row; the next ejection lasts `(ejections + 1) × base`. */
  ejections: number;
  ejectedAt: number;
  readmittedAt: number;
  /** Just re-admitted: a single failure ejects it again, a success clears the record. */
  probation: boolean;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Passive outlier detection for one service (Envoy's consecutive-failure ejection): after N
 * consecutive connect errors, timeouts or 5xx an instance is ejected for `n × baseEjectionTime`
 * (n = ejections in a row, capped at `maxEjectionTime`), then re-admitted on probation, where one
 * more failure ejects it again. Ejections never exceed `maxEjectedPercent` of the instances, so a
 * service-wide outage degrades to "try everything" instead of "no instance".
 */
export class OutlierDetector {
  /** IDs of the instances currently ejected (pass as `exclude` to a balancer). */
  readonly ejected = new Set<string>();
  private readonly health = new Map<string, InstanceHealth>();

  constructor(
    private readonly service: string,
    private readonly options: ResolvedEjection,
    private readonly logger: ConsulLogger,
  ) {}

  /** A call to `instance` succeeded (any response below 500). */
  success(instance: ServiceInstance): void {
    // The common case: no instance has failed lately, nothing to record.
    if (this.health.size === 0) return;
    const h = this.health.get(instance.id);
    if (h === undefined || this.ejected.has(instance.id)) return;
    h.failures = 0;
    h.probation = false;
    // Healthy for a full max ejection time since re-admission: forget earlier ejections.
    if (h.ejections === 0 || performance.now() - h.readmittedAt >= this.options.maxMs) {
      this.health.delete(instance.id);
    }
  }

  /**
   * A call to `instance` failed. `population` is the number of instances in the set now (used for
   * the `maxEjectedPercent` cap). Returns whether the instance got ejected.
   */
  failure(instance: ServiceInstance, population: number): boolean {
    let h = this.health.get(instance.id);
    if (h === undefined) {
      h = {
        instance: { id: instance.id, address: instance.address, port: instance.port },
        failures: 0,
        ejections: 0,
        ejectedAt: 0,
        readmittedAt: 0,
        probation: false,
        timer: undefined,
      };
      this.health.set(instance.id, h);
    }
    h.failures += 1;
    if (this.ejected.has(instance.id)) return false;
    const threshold = h.probation ? 1 : this.options.consecutiveFailures;
    if (h.failures < threshold) return false;
    const allowed = Math.floor((population * this.options.maxPercent) / 100);
    if (this.ejected.size + 1 > allowed) return false;
    this.eject(h);
    return true;
  }

  /** Forgets instances that left the set (and re-admits them if they were ejected). */
  retain(liveIds: ReadonlySet<string>): void {
    for (const [id, h] of this.health) {
      if (liveIds.has(id)) continue;
      clearTimeout(h.timer);
      this.ejected.delete(id);
      this.health.delete(id);
    }
  }

  /** Cancels re-admission timers. */
  close(): void {
    for (const h of this.health.values()) clearTimeout(h.timer);
    this.health.clear();
    this.ejected.clear();
  }

  private eject(h: InstanceHealth): void {
    h.ejections += 1;
    const ejectionMs = Math.min(this.options.baseMs * h.ejections, this.options.maxMs);
    const failures = h.failures;
    h.ejectedAt = performance.now();
    this.ejected.add(h.instance.id);
    h.timer = setTimeout(() => this.readmit(h), ejectionMs);
    h.timer.unref();
    this.logger.warn(`consulkit: ejected instance of "${this.service}" after failures`, {
      service: this.service,
      instance: h.instance.id,
      address: `${h.instance.address}:${h.instance.port}`,
      consecutiveFailures: failures,
      ejectionMs,
    });
    publish(DIAGNOSTIC_CHANNELS.httpEject, {
      service: this.service,
      instance: h.instance,
      consecutiveFailures: failures,
      ejectionMs,
      ejections: h.ejections,
    } satisfies HttpEjectMessage);
  }

  private readmit(h: InstanceHealth): void {
    h.timer = undefined;
    if (!this.ejected.delete(h.instance.id)) return;
    h.failures = 0;
    h.probation = true;
    h.readmittedAt = performance.now();
    const ejectedMs = h.readmittedAt - h.ejectedAt;
    this.logger.info(`consulkit: re-admitted instance of "${this.service}"`, {
      service: this.service,
      instance: h.instance.id,
      ejectedMs,
    });
    publish(DIAGNOSTIC_CHANNELS.httpReadmit, {
      service: this.service,
      instance: h.instance,
      ejectedMs,
    } satisfies HttpReadmitMessage);
  }
}
