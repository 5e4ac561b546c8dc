import { type ConsulHttpOptions } from '@consulkit/core';
import { Inject } from '@nestjs/common';
import { declareServiceClient } from './service-client.registry';

/**
 * Injects a core `ServiceClient` for `service`: a load-balanced HTTP client over a discovery
 * cache of its passing instances (per-instance pools, retries on another instance, outlier
 * ejection), closed on shutdown. `options` are `consul.http()`'s (`balancer`, `retries`,
 * `timeout`, `tag`, `passingOnly`...). Works on constructor parameters and properties.
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
  return (target: object, key: string | symbol | undefined, index?: number) => {
    // Constructor parameters give the class; properties give its prototype.
    const consumer = typeof target === 'function' ? target : target.constructor;
    const token = declareServiceClient(service, options, consumer);
    const inject = Inject(token);
    if (typeof index === 'number') inject(target, key, index);
    else inject(target, key as string | symbol);
  };
}
