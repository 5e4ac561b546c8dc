import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type ConsulAgent,
  passingIds,
  startConsul,
  stderrLogger,
  uniqueName,
  waitFor,
} from '@consulkit/testing';
import { Consul, type ConsulOptions, ConsulOptionError, ConsulTlsError } from '../src';
import { useAgent } from './support/agent';

// Polls of real agents (registration, watches) can take seconds on a loaded machine.
jest.setTimeout(30_000);

/** The environment the official CLI would use to reach `agent` with its client certificate. */
function cliEnv(agent: ConsulAgent): Record<string, string | undefined> {
  return {
    CONSUL_HTTP_ADDR: agent.address,
    CONSUL_CACERT: agent.tls?.ca,
    CONSUL_CLIENT_CERT: agent.tls?.clientCert,
    CONSUL_CLIENT_KEY: agent.tls?.clientKey,
  };
}

/** KV, registration, a watch, a lock and a config store, each through `consul`. */
async function everyRecipe(consul: Consul, prefix: string): Promise<void> {
  expect(await consul.kv.put(`${prefix}/kv`, 'mutual')).toBe(true);
  expect((await consul.kv.get(`${prefix}/kv`))?.value).toBe('mutual');

  const name = uniqueName(`${prefix}-svc`);
  const reg = consul.register({ name, port: 9_999, address: '127.0.0.1' });
  await reg.registered;
  await waitFor(
    () => passingIds(consul, name),
    (ids) => ids.includes(reg.id),
  );
  await reg.deregister();

  const watch = consul.watchKey(`${prefix}/watched`, { minInterval: 0 });
  const seen: Array<string | null | undefined> = [];
  watch.on('change', (entry) => seen.push(entry?.value));
  await watch.ready();
  await consul.kv.put(`${prefix}/watched`, 'changed');
  await waitFor(() => seen.includes('changed'), { what: 'the watch sees the write' });
  await watch.stop();

  const held = await consul.lock(`${prefix}/lock`, { lockDelay: '0s' }).acquire();
  expect((await consul.kv.get(`${prefix}/lock`))?.session).toBe(held.session);
  await held.release();

  await consul.kv.put(`${prefix}/config/limits.json`, '{"rps": 5}');
  const store = consul.config({ prefix: `${prefix}/config` });
  expect((await store.ready()).values).toEqual({ 'limits.json': { rps: 5 } });
  await store.close();
}

describe('mutual TLS against an agent that verifies incoming HTTPS', () => {
  const fx = useAgent({ tls: { verifyIncoming: true } });
  let otherCa: ConsulAgent;
  beforeAll(async () => {
    otherCa = await startConsul({ tls: { verifyIncoming: true }, logger: stderrLogger });
  }, 60_000);
  afterAll(async () => {
    await otherCa.stop();
  });

  it('runs every recipe with the client certificate from the options', async () => {
    const files = fx.agent.tls;
    expect(files?.verifyIncoming).toBe(true);
    const consul = fx.client({
      tls: {
        ca: fx.agent.ca,
        cert: readFileSync(files?.clientCert ?? ''),
        key: readFileSync(files?.clientKey ?? ''),
      },
    });
    await everyRecipe(consul, uniqueName('mtls-options'));
  });

  it('runs every recipe with CONSUL_CLIENT_CERT / CONSUL_CLIENT_KEY / CONSUL_CACERT', async () => {
    const consul = fx.client({ address: undefined, tls: undefined, env: cliEnv(fx.agent) });
    expect(consul.transport.activeAddress).toBe(fx.agent.address);
    await everyRecipe(consul, uniqueName('mtls-env'));
  });

  it('reads the certificate and key files given as tls.certFile / tls.keyFile', async () => {
    const consul = fx.client({
      tls: {
        ca: fx.agent.ca,
        certFile: fx.agent.tls?.clientCert ?? '',
        keyFile: fx.agent.tls?.clientKey ?? '',
      },
    });
    expect(await consul.status.leader()).toMatch(/^127\.0\.0\.1:/);
  });

  it('fails without a client certificate with a ConsulTlsError that says one is required', async () => {
    const consul = fx.client({ tls: { ca: fx.agent.ca }, env: {} });
    const failure = consul.kv.get(uniqueName('mtls-none'));
    await expect(failure).rejects.toBeInstanceOf(ConsulTlsError);
    await expect(failure).rejects.toThrow(/requires a client certificate and none is configured/);
    await expect(failure).rejects.toThrow(/CONSUL_CLIENT_CERT/);
    await expect(failure).rejects.toMatchObject({ retryable: false });
  });

  it('fails without a client certificate on a write and a registration too', async () => {
    const consul = fx.client({ tls: { ca: fx.agent.ca }, env: {} });
    await expect(consul.kv.put(uniqueName('mtls-none'), 'x')).rejects.toThrow(
      /requires a client certificate/,
    );
    const reg = consul.register({ name: uniqueName('mtls-none'), port: 1, address: '127.0.0.1' });
    const errors: Error[] = [];
    reg.on('error', (error) => errors.push(error));
    const [first] = await waitFor(() => (errors.length > 0 ? errors : undefined));
    expect(first).toBeInstanceOf(ConsulTlsError);
    expect(first?.message).toMatch(/requires a client certificate/);
    // Cleanup only: the agent refuses the deregistration for the same reason.
    await reg.deregister({ timeout: '1s' }).catch(() => undefined);
  });

  it('fails with a ConsulTlsError saying the agent refused a certificate of another CA', async () => {
    const consul = fx.client({
      tls: {
        ca: fx.agent.ca,
        certFile: otherCa.tls?.clientCert ?? '',
        keyFile: otherCa.tls?.clientKey ?? '',
      },
    });
    const failure = consul.kv.get(uniqueName('mtls-other'));
    await expect(failure).rejects.toBeInstanceOf(ConsulTlsError);
    await expect(failure).rejects.toThrow(/the agent refused the client certificate/);
  });

  it.each([
    [
      { tls: { certFile: '/nonexistent/client.pem', keyFile: '/nonexistent/key.pem' } },
      'tls.certFile',
    ],
    [
      {
        env: {
          CONSUL_CLIENT_CERT: '/nonexistent/client.pem',
          CONSUL_CLIENT_KEY: '/nonexistent/key.pem',
        },
      },
      'CONSUL_CLIENT_CERT',
    ],
  ] as Array<[ConsulOptions, string]>)(
    'rejects an unreadable certificate file at construction, naming %#: %s',
    (options, option) => {
      expect(() => new Consul({ address: fx.agent.address, ...options })).toThrow(
        expect.objectContaining({ constructor: ConsulOptionError, option }),
      );
    },
  );

  it('rejects an unreadable key file at construction, naming CONSUL_CLIENT_KEY', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'consulkit-mtls-'));
    const env = {
      CONSUL_CLIENT_CERT: fx.agent.tls?.clientCert,
      CONSUL_CLIENT_KEY: path.join(dir, 'missing-key.pem'),
    };
    expect(() => new Consul({ address: fx.agent.address, env })).toThrow(
      expect.objectContaining({
        option: 'CONSUL_CLIENT_KEY',
        message: expect.stringMatching(/ENOENT/),
      }),
    );
  });
});
