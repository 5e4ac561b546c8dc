import { type ConsulHttpOptions } from '@consulkit/core';
import { getServiceClientToken } from '../consul.tokens';

/** One `@InjectServiceClient` declaration: its token, the service and the client's options. */
export interface ServiceClientDeclaration {
  readonly token: string;
  readonly service: string;
  readonly options: ConsulHttpOptions | undefined;
}

/**
 * The `@InjectServiceClient` declarations of the process, by token: a catalogue, like the
 * metadata decorators leave on classes, and never state of an app. It exists because the contract
 * form `@InjectServiceClient(name)` works without `ConsulModule.forFeature()`: decorators run when
 * classes are defined, before any app, and the module must list a provider for every token its
 * app may inject when Nest scans it. Each app decides for itself, from its own dependency graph,
 * which of these providers make a client (`ConsulServiceClients`); clients, caches and feature
 * options live in the app.
 */
const declarations = new Map<string, ServiceClientDeclaration>();
let withOptions = 0;

/**
 * Records an injection of a client for `service` and returns its token: the service's token
 * without options (the app's client of the service, shared with `ConsulService.service(name)` and
 * `forFeature`), a token of the declaration's own with options (its own balancer and pools).
 */
export function declareServiceClient(
  service: string,
  options: ConsulHttpOptions | undefined,
): string {
  const token =
    options === undefined
      ? getServiceClientToken(service)
      : `${getServiceClientToken(service)}#${++withOptions}`;
  if (!declarations.has(token)) declarations.set(token, { token, service, options });
  return token;
}

/** Every declaration so far. */
export function serviceClientDeclarations(): ServiceClientDeclaration[] {
  return [...declarations.values()];
}
