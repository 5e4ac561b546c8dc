'use strict';
/**
 * A Fastify backend in its own process (so a test can SIGKILL it): @consulkit/fastify registers it
 * with the agent once it listens, with an HTTP check on its health route. Prints JSON lines:
 * `{"event":"registered","port":…,"id":…}` once Consul knows it; on SIGTERM it closes gracefully
 * (drain, deregister) and exits.
 *
 * argv: <consul address> <service name> <label>
 */
const Fastify = require('fastify');
const fastifyConsul = require('@consulkit/fastify');

const [address, service, label] = process.argv.slice(2);
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

async function main() {
  const app = Fastify({ logger: false });
  await app.register(fastifyConsul, {
    consul: { address },
    service: { name: service, check: { interval: '1s', timeout: '1s' } },
    drain: '500ms',
    deregisterTimeout: '2s',
  });
  app.get('/work', async () => label);
  await app.listen({ port: 0, host: '127.0.0.1' });
  await app.consul.registration.registered;
  say({ event: 'registered', port: app.server.address().port, id: app.consul.registration.id });
  process.once('SIGTERM', () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((err) => {
  say({ event: 'error', message: String(err) });
  process.exit(1);
});
