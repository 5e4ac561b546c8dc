import { type ConsulOptions } from '@consulkit/core';
import { ConsulModule } from '@consulkit/nest';
import { type DynamicModule, Module } from '@nestjs/common';
import { CdnController } from './cdn.controller';
import { CdnSettings } from './cdn-settings';
import { EDGE_ENV, type EdgeEnv } from './env';
import { Origins } from './origins';
import { PurgeJob } from './purge.job';

/** The edge application. */
@Module({})
export class AppModule {
  /**
   * @param consul options of the Consul client; default `{}`: address, token and TLS come from
   *   `CONSUL_HTTP_ADDR`, `CONSUL_HTTP_TOKEN`, `CONSUL_CACERT`...
   */
  static forEnv(env: EdgeEnv, consul: ConsulOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConsulModule.forRoot({
          isGlobal: true,
          consul,
          service: {
            name: env.serviceName,
            ...(env.serviceId ? { id: env.serviceId } : {}),
            tags: ['cdn', 'nest'],
            check: { interval: env.checkInterval, timeout: '1s' },
          },
          drain: env.drain,
        }),
      ],
      controllers: [CdnController],
      providers: [{ provide: EDGE_ENV, useValue: env }, CdnSettings, Origins, PurgeJob],
    };
  }
}
