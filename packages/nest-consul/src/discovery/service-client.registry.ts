import { type ConsulHttpOptions } from '@consulkit/core';
import { getServiceClientToken } from '../consul.constants';

/** One `@InjectServiceClient` declaration: the service, its options and who injects it. */
export interface ServiceClientSpec {
  token: string;
  service: string;
  options: ConsulHttpOptions | undefined;
  /** Classes whose constructor or properties inject this token. */
  consumers: Set<object>;
}

/**
 * Every `@InjectServiceClient` seen in the process, by token. Decorators run when classes are
 * defined, before Nest scans modules; `ConsulModule` reads this list when Nest compiles it (a
 * getter on the module definition), and creates clients only for consumers present in its app.
 */
const specs = new Map<string, ServiceClientSpec>();
let anonymous = 0;

/**
 * Records an injection of a client for `service` and returns its token: shared per service name
 * without options, unique per declaration with options (each gets its own balancer and pools).
 */
export function declareServiceClient(
  service: string,
  options: ConsulHttpOptions | undefined,
  consumer: object,
): string {
  const token =
    options === undefined
      ? getServiceClientToken(service)
      : `${getServiceClientToken(service)}#${++anonymous}`;
  let spec = specs.get(token);
  if (!spec) {
    spec = { token, service, options, consumers: new Set() };
    specs.set(token, spec);
  }
  spec.consumers.add(consumer);
  return token;
}

/** Every declaration so far. */
export function serviceClientSpecs(): ServiceClientSpec[] {
  return [...specs.values()];
}
