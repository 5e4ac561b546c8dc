import { type ConsulHttpOptions } from '@consulkit/core';
import { Inject } from '@nestjs/common';
import { declareServiceClient } from './service-client.declarations';

/**
 * Injects a core `ServiceClient` for `service`: a load-balanced HTTP client over a discovery
 * cache of its passing instances (per-instance pools, retries on another instance, outlier
 * ejection), closed on shutdown. Works on constructor parameters and properties.
 *
 * Without `options` it is `@Inject(getServiceClientToken(service))`: the app's client of the
 * service, the one `ConsulService.service(service)` returns, built with the options of a
 * `ConsulModule.forFeature({ services })` declaring it (else core's defaults). Declaring the
 * service with `forFeature` is the idiomatic form; without it the module provides the token all
 * the same. With `options` (`consul.http()`'s: `balancer`, `retries`, `timeout`, `tag`,
 * `passingOnly`...) the declaration gets a client of its own.
 *
 * @example
 * @Injectable()
 * class Orders {
 *   constructor(@InjectServiceClient('user-service') private readonly users: ServiceClient) {}
 *   async user(id: string) {
 *     const { body } = await this.users.get(`/users/${id}`);
 *     return body.json();
 *   }
 * }
 */
export function InjectServiceClient(
  service: string,
  options?: ConsulHttpOptions,
): PropertyDecorator & ParameterDecorator {
  return Inject(declareServiceClient(service, options));
}
