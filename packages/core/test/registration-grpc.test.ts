import { readFileSync } from 'node:fs';
import { type Consul, type HealthCheck, type Registration, silentLogger } from '../src';
import { checkStatus, uniqueName, waitFor } from '@consulkit/testing';
import { useAgent } from './support/agent';
import { closeGrpcServers, startGrpcHealthServer } from './support/grpc-health';

/**
 * gRPC checks registered on a real agent, probing a real `grpc.health.v1` server: Consul calls
 * `Health/Check` every interval and maps SERVING to passing, anything else to critical.
 */
jest.setTimeout(60_000);

// The agent serves HTTPS only for its files: a CA and a certificate naming 127.0.0.1 (made by
// `consul tls`) for the TLS gRPC server. Its checks do not trust that CA (no
// `enable_agent_tls_for_checks`), which is what the TLS cases below rely on.
const fx = useAgent({ tls: true });
const client = () => fx.client({ logger: silentLogger });
const registrations: Registration[] = [];
const track = (r: Registration) => {
  registrations.push(r);
  return r;
};
// Each probe runs every second; 20 s leaves room for a loaded machine.
const settle = { timeout: 20_000, interval: 200 };

afterEach(async () => {
  await Promise.allSettled(registrations.splice(0).map((r) => r.deregister({ timeout: '2s' })));
  closeGrpcServers();
});

async function agentCheck(consul: Consul, checkId: string): Promise<HealthCheck | undefined> {
  return (await consul.agent.checks())[checkId];
}

describe('consul.register with a gRPC check', () => {
  it('is passing while the server reports SERVING, critical on NOT_SERVING, passing again after', async () => {
    const consul = client();
    const server = await startGrpcHealthServer();
    const name = uniqueName('grpc');
    const reg = track(
      consul.register({
        name,
        address: '127.0.0.1',
        port: server.port,
        check: { grpc: true, interval: '1s', timeout: '2s' },
      }),
    );
    await reg.registered;
    const checkId = `${reg.id}:grpc`;
    expect(reg.checkIds).toEqual([checkId]);
    const registered = await agentCheck(consul, checkId);
    expect(registered?.type).toBe('grpc');

    await waitFor(
      () => checkStatus(consul, name, checkId),
      (s) => s === 'passing',
      settle,
    );
    server.setStatus('NOT_SERVING');
    await waitFor(
      () => checkStatus(consul, name, checkId),
      (s) => s === 'critical',
      settle,
    );
    const critical = await agentCheck(consul, checkId);
    // Consul 1.8's wording for a health answer other than SERVING.
    expect(critical?.output).toMatch(/didn't report service healthy/);
    server.setStatus('SERVING');
    await waitFor(
      () => checkStatus(consul, name, checkId),
      (s) => s === 'passing',
      settle,
    );
  });

  it('probes the named service of `host:port/service`, not the whole server', async () => {
    const consul = client();
    const svc = 'consulkit.test.Users';
    const server = await startGrpcHealthServer({ services: [svc] });
    // The whole server stays SERVING: only the named service's status can turn the check critical.
    server.setStatus('NOT_SERVING', svc);
    const name = uniqueName('grpc-svc');
    const reg = track(
      consul.register({
        name,
        address: '127.0.0.1',
        port: server.port,
        check: {
          checkId: `${name}-users`,
          grpc: `127.0.0.1:${server.port}/${svc}`,
          interval: '1s',
          status: 'passing',
        },
      }),
    );
    await reg.registered;
    const checkId = `${name}-users`;
    await waitFor(
      () => checkStatus(consul, name, checkId),
      (s) => s === 'critical',
      settle,
    );
    server.setStatus('SERVING', svc);
    await waitFor(
      () => checkStatus(consul, name, checkId),
      (s) => s === 'passing',
      settle,
    );
    server.setStatus('NOT_SERVING', svc);
    await waitFor(
      () => checkStatus(consul, name, checkId),
      (s) => s === 'critical',
      settle,
    );
  });

  it('dials TLS with grpcUseTls, verifying the certificate unless tlsSkipVerify', async () => {
    const consul = client();
    const files = fx.agent.tlsFiles as { cert: string; key: string };
    const server = await startGrpcHealthServer({
      tls: { cert: readFileSync(files.cert), key: readFileSync(files.key) },
    });
    const name = uniqueName('grpc-tls');
    const target = `127.0.0.1:${server.port}`;
    const ids = {
      skipVerify: `${name}-tls-skip-verify`,
      verify: `${name}-tls-verify`,
      plaintext: `${name}-plaintext`,
    };
    const reg = track(
      consul.register({
        name,
        address: '127.0.0.1',
        port: server.port,
        checks: [
          {
            checkId: ids.skipVerify,
            grpc: target,
            grpcUseTls: true,
            tlsSkipVerify: true,
            interval: '1s',
          },
          { checkId: ids.verify, grpc: target, grpcUseTls: true, interval: '1s' },
          { checkId: ids.plaintext, grpc: target, interval: '1s', timeout: '2s' },
        ],
      }),
    );
    await reg.registered;
    await waitFor(
      () => checkStatus(consul, name, ids.skipVerify),
      (s) => s === 'passing',
      settle,
    );
    // Checks start critical: wait until each has run (its output says why) before reading it.
    const probed = await waitFor(
      async () => [await agentCheck(consul, ids.verify), await agentCheck(consul, ids.plaintext)],
      (checks) => checks.every((c) => c !== undefined && c.output !== ''),
      settle,
    );
    const [verify, plaintext] = probed;
    expect(verify).toMatchObject({
      status: 'critical',
      output: expect.stringMatching(/certificate signed by unknown authority/),
    });
    // A plaintext HTTP/2 preface to a TLS listener: the server drops the connection.
    expect(plaintext).toMatchObject({
      status: 'critical',
      output: expect.stringMatching(/Unavailable/),
    });
    server.setStatus('NOT_SERVING');
    await waitFor(
      () => checkStatus(consul, name, ids.skipVerify),
      (s) => s === 'critical',
      settle,
    );
  });
});
