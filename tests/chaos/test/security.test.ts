import {
  type Consul,
  ConsulAclError,
  ConsulOptionError,
  ConsulError,
  type ConsulOptions,
  ConsulTlsError,
} from '@consulkit/core';
import fastifyConsul from '@consulkit/fastify';
import Fastify from 'fastify';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { capturingLogger, type CapturingLogger, safeStringify, useAgent } from '../support/agent';
import { uniqueName } from '../support/diagnostics';
import { MODE } from '../support/mode';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

/** A token no agent knows, shaped like a real one: it must not leak either. */
const WRONG_TOKEN = '7d3c1e9a-4b2f-4e8d-9a6c-0f5e2d1b3a47';

/** Every text an error can show: message, stack, causes, its JSON. */
function errorText(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof Error) parts.push(current.message, current.stack ?? '');
    else parts.push(String(current));
    current = (current as { cause?: unknown }).cause;
  }
  parts.push(safeStringify(err));
  return parts.join('\n');
}

/** Runs `call`, returns what it threw (or fails when it did not). */
async function thrown(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('chaos: security (ACL default-deny agent over TLS)', () => {
  const fx = useAgent({ acl: true, tls: true });
  const errors: unknown[] = [];
  const loggers: CapturingLogger[] = [];
  const pinoLines: string[] = [];
  let dir: string;
  const figures: string[] = [];

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-security-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A client with a capturing logger; no token unless given (the environment is not read). */
  const client = (options: ConsulOptions = {}) => {
    const logger = capturingLogger();
    loggers.push(logger);
    return fx.client({ token: undefined, env: {}, logger, ...options });
  };
  const secretToken = () => fx.agent.token as string;

  it('without a token every call is denied with a typed ACL error naming the call', async () => {
    const anon = client();
    const denied = await Promise.all([
      thrown(() => anon.kv.put('secure/app/x', 'v')),
      thrown(() => anon.kv.get('secure/app/x')),
      thrown(() => anon.agent.service.register({ name: 'denied', id: 'denied-1', port: 1 })),
      thrown(() => anon.session.create({ ttl: '10s' })),
    ]);
    errors.push(...denied);
    for (const err of denied) {
      expect(err).toBeInstanceOf(ConsulAclError);
      expect(err).toMatchObject({ code: 'CONSUL_ACL', status: 403, retryable: false });
    }
    const [put, get, register, session] = denied as ConsulAclError[];
    expect(put?.message).toContain('PUT /v1/kv/secure/app/x');
    expect(get?.message).toContain('GET /v1/kv/secure/app/x');
    expect(register?.message).toContain('/v1/agent/service/register');
    expect(session?.message).toContain('/v1/session/create');
    expect(put?.request).toMatchObject({ method: 'PUT', path: '/v1/kv/secure/app/x' });

    const wrong = client({ token: WRONG_TOKEN });
    const unknown = await thrown(() => wrong.kv.put('secure/app/x', 'v'));
    errors.push(unknown);
    expect(unknown).toBeInstanceOf(ConsulAclError);
    expect((unknown as ConsulAclError).reason).toBe('acl-not-found');
    figures.push(
      `denied: ${denied.map((e) => (e as ConsulAclError).request?.path).join(', ')} (CONSUL_ACL 403), unknown token → acl-not-found`,
    );
  });

  it('takes the token from the option, the environment, and a file', async () => {
    const token = secretToken();
    const tokenFile = path.join(dir, 'token');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    const caFile = path.join(dir, 'ca.pem');
    writeFileSync(caFile, fx.agent.ca as string);
    const sources: Array<[string, Consul]> = [
      ['option', client({ token })],
      ['tokenFile', client({ tokenFile })],
      [
        'CONSUL_HTTP_TOKEN',
        client({
          address: undefined,
          tls: undefined,
          env: {
            CONSUL_HTTP_ADDR: fx.agent.address,
            CONSUL_CACERT: caFile,
            CONSUL_HTTP_TOKEN: token,
          },
        }),
      ],
      [
        'CONSUL_HTTP_TOKEN_FILE',
        client({
          address: undefined,
          tls: undefined,
          env: {
            CONSUL_HTTP_ADDR: fx.agent.address,
            CONSUL_CACERT: caFile,
            CONSUL_HTTP_TOKEN_FILE: tokenFile,
          },
        }),
      ],
    ];
    for (const [source, consul] of sources) {
      const key = `secure/${source}`;
      expect(await consul.kv.put(key, source)).toBe(true);
      expect((await consul.kv.get(key))?.value).toBe(source);
    }
    // A non-string token is refused before anything is sent, redacted.
    const bad = await thrown(async () => client({ token: 12345 as unknown as string }));
    errors.push(bad);
    expect(bad).toBeInstanceOf(ConsulOptionError);
    expect((bad as ConsulOptionError).message).toContain('[redacted]');
    figures.push(`token sources ok: ${sources.map(([s]) => s).join(', ')}`);
  });

  it('never writes a token into a log line or an error message (core logger and Fastify pino)', async () => {
    const token = secretToken();
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        pinoLines.push(chunk.toString());
        done();
      },
    });
    // An app with the right token: registration, config, a lock, a failing health check.
    const app = Fastify({ logger: { level: 'trace', stream } });
    await app.register(fastifyConsul, {
      consul: { address: fx.agent.address, token, tls: { ca: fx.agent.ca as string } },
      service: { name: uniqueName('secure'), check: { interval: '1s' } },
      drain: 0,
    });
    app.consul.addCheck('always-failing', () => ({ status: 'critical', output: 'checked' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    await app.consul.registration?.registered;
    // Consul's HTTP check reaches the health route (request logs, a critical check logged).
    await waitFor(() => pinoLines.some((l) => l.includes('/health')), {
      timeout: 20_000,
      what: "Consul's check hitting the health route",
    });
    const config = app.consul.config({ prefix: 'secure/' });
    await config.ready();
    const held = await app.consul.lock(uniqueName('secure-lock')).acquire();
    await held.release();
    await app.close();

    // An app with a wrong token: everything it tries is denied, and logged.
    const denied = Fastify({ logger: { level: 'trace', stream } });
    await denied.register(fastifyConsul, {
      consul: {
        address: fx.agent.address,
        token: WRONG_TOKEN,
        tls: { ca: fx.agent.ca as string },
        retry: false,
      },
      service: { name: uniqueName('denied'), check: { interval: '1s' } },
      drain: 0,
      deregisterTimeout: '1s',
    });
    await denied.listen({ port: 0, host: '127.0.0.1' });
    await waitFor(() => pinoLines.some((l) => l.includes('CONSUL_ACL')), {
      timeout: 20_000,
      what: 'the denied registration logged',
    });
    const deniedConfig = denied.consul.config({ prefix: 'secure/', optional: false });
    errors.push(await thrown(() => deniedConfig.ready()));
    errors.push(
      await thrown(() => denied.consul.lock('secure/denied-lock').acquire({ timeout: '2s' })),
    );
    await denied.close();

    // Core clients logging at debug: a wrong token (denied calls, a registration retrying, a
    // watch failing) and the right one behind a dead first address (failover, retries).
    const core = client({ token: WRONG_TOKEN, retry: { retries: 2, minDelay: 10, maxDelay: 20 } });
    errors.push(await thrown(() => core.kv.list('secure/')));
    errors.push(await thrown(() => core.catalog.services()));
    const coreLogger = loggers[loggers.length - 1] as CapturingLogger;
    const registration = core.register({
      name: uniqueName('denied-core'),
      port: 1,
      address: '127.0.0.1',
    });
    const watch = core.watchKey('secure/watched', { backoff: { min: '50ms', max: '100ms' } });
    await waitFor(() => coreLogger.lines.filter((l) => l.level !== 'debug').length >= 2, {
      timeout: 20_000,
      what: 'the denied registration and watch logged',
    });
    registration.stop();
    await watch.stop();
    const failover = client({
      token,
      address: ['https://127.0.0.1:1', fx.agent.address],
      retry: { retries: 2, minDelay: 10, maxDelay: 20 },
    });
    expect(await failover.kv.put('secure/failover', 'ok')).toBe(true);

    const logText = [...loggers.map((l) => l.text()), ...pinoLines].join('\n');
    const errorTexts = errors.map(errorText).join('\n');
    const lines = loggers.reduce((n, l) => n + l.lines.length, 0) + pinoLines.length;
    figures.push(
      `scanned ${lines} log lines (${pinoLines.length} pino) and ${errors.length} errors: ` +
        `token found ${logText.split(token).length - 1 + errorTexts.split(token).length - 1}x, ` +
        `wrong token found ${logText.split(WRONG_TOKEN).length - 1 + errorTexts.split(WRONG_TOKEN).length - 1}x`,
    );
    expect(pinoLines.length).toBeGreaterThan(5);
    expect(errors.length).toBeGreaterThan(5);
    expect(errors.every((e) => e instanceof ConsulError)).toBe(true);
    expect(logText).not.toContain(token);
    expect(logText).not.toContain(WRONG_TOKEN);
    expect(errorTexts).not.toContain(token);
    expect(errorTexts).not.toContain(WRONG_TOKEN);
  });

  it('TLS: the CA verifies the agent; a wrong CA or host name is refused; rejectUnauthorized:false warns', async () => {
    const token = secretToken();
    const ca = fx.agent.ca as string;
    const ok = client({ token, tls: { ca } });
    expect(await ok.status.leader()).not.toBe('');
    const byName = client({ token, tls: { ca, servername: 'localhost' } });
    expect(await byName.status.leader()).not.toBe('');

    const wrongCa = await thrown(() =>
      client({ token, tls: { ca: rootCertificates[0] as string } }).status.leader(),
    );
    const wrongHost = await thrown(() =>
      client({ token, tls: { ca, servername: 'wrong.example.com' } }).status.leader(),
    );
    errors.push(wrongCa, wrongHost);
    for (const err of [wrongCa, wrongHost]) {
      expect(err).toBeInstanceOf(ConsulTlsError);
      expect(err).toMatchObject({ code: 'CONSUL_TLS', retryable: false });
    }
    expect((wrongHost as ConsulTlsError).message).toMatch(
      /ALTNAME|host ?name|wrong\.example\.com/i,
    );

    // Verification off: it works, and says loudly that it is off (core logger and app.log).
    const insecure = client({ token, tls: { rejectUnauthorized: false } });
    expect(await insecure.status.leader()).not.toBe('');
    const warned = loggers[loggers.length - 1]?.lines.filter(
      (l) => l.level === 'warn' && /rejectUnauthorized/.test(l.message),
    );
    expect(warned).toHaveLength(1);
    const before = pinoLines.length;
    const app = Fastify({
      logger: {
        level: 'warn',
        stream: new Writable({
          write(chunk: Buffer, _e, done) {
            pinoLines.push(chunk.toString());
            done();
          },
        }),
      },
    });
    await app.register(fastifyConsul, {
      consul: { address: fx.agent.address, token, tls: { rejectUnauthorized: false } },
      service: false,
    });
    await app.ready();
    await app.close();
    const appWarnings = pinoLines.slice(before).filter((l) => /rejectUnauthorized/.test(l));
    expect(appWarnings.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(appWarnings[0] as string)).toMatchObject({ level: 40 });
    figures.push(
      `TLS: CA ok, servername localhost ok, wrong CA → ${(wrongCa as ConsulError).code}, ` +
        `wrong host → ${(wrongHost as ConsulError).code}, rejectUnauthorized:false → ${warned?.length} core warning + ${appWarnings.length} pino warning`,
    );
    console.log(`[chaos] security (${MODE}): ${figures.join('; ')}`);
  });
});
