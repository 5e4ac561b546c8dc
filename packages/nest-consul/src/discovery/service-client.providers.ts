import { ConsulOptionError } from '@consulkit/core';
import { type FactoryProvider, type ValueProvider } from '@nestjs/common';
import { FEATURE_WITHOUT_ROOT } from '../consul.messages';
import { CONSUL_FEATURE_SERVICES, getServiceClientToken } from '../consul.tokens';
import { type FeatureService } from './feature-options';
import { serviceClientDeclarations } from './service-client.declarations';
import { ConsulServiceClients } from './service-clients';

/**
 * The root module's provider per `@InjectServiceClient` declaration of the process, so that the
 * decorator works without `forFeature`. Each resolves to `null` in an app where nothing injects
 * its token (no client, no watch).
 */
export function declaredClientProviders(): FactoryProvider[] {
  return serviceClientDeclarations().map((declaration) => ({
    provide: declaration.token,
    inject: [ConsulServiceClients],
    useFactory: (clients: ConsulServiceClients) => clients.declared(declaration),
  }));
}

/** The tokens of {@link declaredClientProviders}, to export. */
export function declaredClientTokens(): string[] {
  return serviceClientDeclarations().map((declaration) => declaration.token);
}

/**
 * The providers of one `ConsulModule.forFeature()`: its declarations (read by the app's
 * `ConsulServiceClients`, so every provider of a service's token builds the client with them),
 * and one client provider per service.
 */
export function featureClientProviders(
  services: readonly FeatureService[],
): Array<FactoryProvider | ValueProvider> {
  const clients: FactoryProvider[] = services.map((feature) => ({
    provide: getServiceClientToken(feature.service),
    // Optional, to fail with a message saying what is missing instead of Nest's generic one.
    inject: [{ token: ConsulServiceClients, optional: true }],
    useFactory: (app: ConsulServiceClients | undefined) => {
      if (!app) throw new ConsulOptionError(feature.label, FEATURE_WITHOUT_ROOT, feature.service);
      return app.client(feature.service);
    },
  }));
  return [{ provide: CONSUL_FEATURE_SERVICES, useValue: services }, ...clients];
}
