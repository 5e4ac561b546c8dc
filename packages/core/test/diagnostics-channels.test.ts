import {
  ConsulNoInstanceError,
  DIAGNOSTIC_CHANNELS,
  type HttpNoInstanceMessage,
  type RegistrationMessage,
  ServiceClient,
  createStaticSource,
  silentLogger,
} from '../src';
import { record } from './http-backends';
import { useAgent } from './support/agent';
import { unique as uniqueName, waitFor } from './support/endpoints-helpers';

/**
 * The diagnostics channels of the core README no other test listens to: `httpNoInstance` and
 * `registrationReregistered` (with their message types, and never a token).
 */
describe('diagnostics channels', () => {
  const fx = useAgent({ acl: true });

  it('httpNoInstance: service, method and path of a call no instance could take', async () => {
    const channel = record<HttpNoInstanceMessage>(DIAGNOSTIC_CHANNELS.httpNoInstance);
    const client = new ServiceClient(createStaticSource('users', []), {}, silentLogger);
    await expect(client.post('/orders?id=1', { body: '{}' })).rejects.toBeInstanceOf(
      ConsulNoInstanceError,
    );
    channel.stop();
    expect(channel.messages).toEqual([{ service: 'users', method: 'POST', path: '/orders?id=1' }]);
    await client.close();
  });

  it('registrationReregistered: the instance and the reason, never the token', async () => {
    const token = fx.agent.token as string;
    const channel = record<RegistrationMessage>(DIAGNOSTIC_CHANNELS.registrationReregistered);
    const consul = fx.client({ logger: silentLogger });
    const reg = consul.register({ name: uniqueName('diag'), port: 9, address: '127.0.0.1' });
    await reg.registered;
    await consul.agent.service.deregister(reg.id); // behind the registration's back
    await waitFor(() => channel.messages.length > 0, { timeout: 15_000 });
    channel.stop();
    expect(channel.messages[0]).toEqual({
      id: reg.id,
      name: reg.name,
      address: '127.0.0.1',
      port: 9,
      // Whichever noticed first: the reconciler (service gone) or the heartbeat (check unknown).
      reason: expect.stringMatching(/^(service-missing|check-lost)$/),
    });
    expect(JSON.stringify(channel.messages)).not.toContain(token);
    await reg.deregister();
  });
});
