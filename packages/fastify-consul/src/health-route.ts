import {
  HEALTH_HTTP_STATUS,
  type HealthCheckRegistry,
  type HealthSummary,
} from '@consulkit/core/adapter';
import { type FastifyInstance } from 'fastify';

/** Body of the health route. */
export interface HealthRouteBody extends HealthSummary {
  /** Registered service name, when the app registers one. */
  service?: string;
}

/**
 * Adds `GET <path>` (and HEAD) answering the aggregated verdict of the registered check functions:
 * 200 passing, 429 warning, 503 critical, with a JSON body listing each check. It is the route
 * Consul's HTTP check polls, and the one a human curls.
 */
export function addHealthRoute(
  app: FastifyInstance,
  path: string,
  checks: HealthCheckRegistry,
  serviceName: string | undefined,
): void {
  app.route({
    method: 'GET',
    url: path,
    handler: async (_request, reply) => {
      const summary = await checks.run();
      const body: HealthRouteBody =
        serviceName === undefined ? summary : { service: serviceName, ...summary };
      // Never cached: a stale "passing" from a proxy would defeat the check.
      return reply
        .code(HEALTH_HTTP_STATUS[summary.status])
        .header('cache-control', 'no-store')
        .send(body);
    },
  });
}
