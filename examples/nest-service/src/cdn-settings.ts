import { ConsulConfig, OnConsulConfigChange } from '@consulkit/nest';
import { Injectable, Logger } from '@nestjs/common';

/** The JSON value of `config/cdn/limits` (the origins read the same key). */
export interface Limits {
  cacheTtlSeconds: number;
  maxObjectsCached: number;
  /** Longest object path this edge accepts. */
  maxPathLength: number;
}

/**
 * The edge's view of `config/cdn/`: read before the app starts, then kept current in place by the
 * module (a value that fails to parse keeps the last good one). Read the properties each time.
 */
@Injectable()
export class CdnSettings {
  private readonly logger = new Logger(CdnSettings.name);

  /** `config/cdn/origin_timeout` (e.g. `3s`) in milliseconds: the deadline of each origin call. */
  @ConsulConfig('config/cdn/origin_timeout', { parse: 'duration', default: 3_000 })
  originTimeoutMs!: number;

  @ConsulConfig('config/cdn/limits', {
    parse: 'json',
    default: { cacheTtlSeconds: 60, maxObjectsCached: 1000, maxPathLength: 256 },
  })
  limits!: Limits;

  @OnConsulConfigChange('config/cdn/origin_timeout')
  originTimeoutChanged(ms: number | undefined): void {
    this.logger.log(`origin timeout is now ${ms} ms`);
  }

  @OnConsulConfigChange('config/cdn/limits')
  limitsChanged(limits: Limits | undefined): void {
    this.logger.log(`limits are now ${JSON.stringify(limits)}`);
  }
}
