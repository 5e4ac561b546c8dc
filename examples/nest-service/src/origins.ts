import diagnosticsChannel from 'node:diagnostics_channel';
import {
  consistentHash,
  ConsulNoInstanceError,
  ConsulTimeoutError,
  DIAGNOSTIC_CHANNELS,
  type HttpRetryMessage,
  type ServiceClient,
} from '@consulkit/core';
import { InjectServiceClient } from '@consulkit/nest';
import {
  GatewayTimeoutException,
  HttpException,
  Inject,
  Injectable,
  type OnModuleDestroy,
  ServiceUnavailableException,
} from '@nestjs/common';
import { CdnSettings } from './cdn-settings';

/** The upstream service, as registered in Consul. */
export const ORIGIN_SERVICE = 'origin';

/** What an origin answers for an object. */
export interface OriginObject {
  path: string;
  origin: string;
  cache: 'HIT' | 'MISS';
  maxAge: number;
  etag: string;
  body: string;
  renderedAt: string;
}

/** What an origin answers to a purge. */
export interface PurgeResult {
  path: string;
  origin: string;
  purged: boolean;
}

/**
 * Calls the origins found in Consul. Consistent hashing on the object path sends an object to the
 * same origin from every edge (its cache stays warm); when that origin fails, the call is retried on
 * the next one on the ring, and an origin failing repeatedly is ejected for a while.
 */
@Injectable()
export class Origins implements OnModuleDestroy {
  /** Calls retried on another origin since startup. */
  retries = 0;
  private readonly onRetry = (message: unknown) => {
    if ((message as HttpRetryMessage).service === ORIGIN_SERVICE) this.retries++;
  };

  constructor(
    @InjectServiceClient(ORIGIN_SERVICE, { balancer: consistentHash(), retries: 2 })
    private readonly client: ServiceClient,
    @Inject(CdnSettings) private readonly settings: CdnSettings,
  ) {
    diagnosticsChannel.subscribe(DIAGNOSTIC_CHANNELS.httpRetry, this.onRetry);
  }

  onModuleDestroy(): void {
    diagnosticsChannel.unsubscribe(DIAGNOSTIC_CHANNELS.httpRetry, this.onRetry);
  }

  /** Origins currently ejected after consecutive failures. */
  ejected(): string[] {
    return this.client.ejectedInstances();
  }

  /** Fetches an object from the origin owning its path. */
  fetch(path: string): Promise<OriginObject> {
    return this.call<OriginObject>('GET', path);
  }

  /** Drops an object from the cache of the origin owning its path. */
  purge(path: string): Promise<PurgeResult> {
    return this.call<PurgeResult>('DELETE', path);
  }

  private async call<T>(method: 'GET' | 'DELETE', path: string): Promise<T> {
    try {
      const { statusCode, body } = await this.client.request({
        method,
        path: `/objects${path}`,
        hashKey: path,
        timeout: this.settings.originTimeoutMs, // hot-reloaded from config/cdn/origin_timeout
      });
      if (statusCode !== 200) {
        await body.dump();
        throw new HttpException(`origin answered ${statusCode}`, 502);
      }
      return (await body.json()) as T;
    } catch (err) {
      if (err instanceof ConsulNoInstanceError) {
        throw new ServiceUnavailableException(`no passing instance of "${ORIGIN_SERVICE}"`);
      }
      if (err instanceof ConsulTimeoutError) throw new GatewayTimeoutException(err.message);
      throw err;
    }
  }
}
