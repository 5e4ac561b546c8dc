import { ConsulService } from '@consulkit/nest';
import { Controller, Get, HttpException, HttpStatus, Inject, Param } from '@nestjs/common';
import { CdnSettings } from './cdn-settings';
import { EDGE_ENV, type EdgeEnv } from './env';
import { type OriginObject, Origins } from './origins';
import { PurgeJob } from './purge.job';

/** What the edge answers for an object: the origin's answer, stamped with the edge. */
export interface EdgeObject extends OriginObject {
  edge: string;
}

/** The edge's HTTP API: objects under `/cdn/...`, and `/status`. (`/health` comes from the module.) */
@Controller()
export class CdnController {
  private requests = 0;

  // Explicit tokens: injection does not depend on emitted type metadata (bundlers, SWC...).
  constructor(
    @Inject(Origins) private readonly origins: Origins,
    @Inject(CdnSettings) private readonly settings: CdnSettings,
    @Inject(PurgeJob) private readonly purge: PurgeJob,
    @Inject(ConsulService) private readonly consul: ConsulService,
    @Inject(EDGE_ENV) private readonly env: EdgeEnv,
  ) {}

  /** `GET /cdn/img/1.jpg` → the origin owning `/img/1.jpg`. */
  @Get('cdn/*path')
  async object(@Param('path') path: string | string[]): Promise<EdgeObject> {
    // Express 5 gives the wildcard as segments, Fastify as a string.
    const objectPath = `/${Array.isArray(path) ? path.join('/') : path}`;
    if (objectPath.length > this.settings.limits.maxPathLength) {
      throw new HttpException('object path too long', HttpStatus.URI_TOO_LONG);
    }
    this.requests++;
    const object = await this.origins.fetch(objectPath);
    return { ...object, edge: this.instanceId() };
  }

  @Get('status')
  status() {
    return {
      service: this.env.serviceName,
      id: this.instanceId(),
      pid: process.pid,
      requests: this.requests,
      originTimeoutMs: this.settings.originTimeoutMs,
      limits: this.settings.limits,
      origins: { retries: this.origins.retries, ejected: this.origins.ejected() },
      purge: { runs: this.purge.runs, purged: this.purge.purged, lastRunAt: this.purge.lastRunAt },
    };
  }

  private instanceId(): string {
    return this.consul.registration?.id ?? this.env.serviceName;
  }
}
