import { type ConsulAppApi } from '@consulkit/core/adapter';

/**
 * `app.consul`: the Consul client and the recipes, bound to the app's lifetime (core's
 * `ConsulAppApi`, the same API Nest's `ConsulService` offers). Everything created through it
 * (service clients, config stores, locks, semaphores, elections) ends when the app closes, even
 * when the client itself was adopted and stays open. Fastify answers 503 to new requests once
 * `close()` started, so `await app.consul.drain(); await app.close()` drains while still serving.
 */
export type FastifyConsul = ConsulAppApi;
