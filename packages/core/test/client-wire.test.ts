import { freePorts } from '@consulkit/testing';
import { Agent, type Dispatcher, request } from 'undici';
import { ConsulNotFoundError, type ConsulLogger, silentLogger } from '../src';
import { useAgent } from './support/agent';
import { startAnswerDroppingProxy } from './support/answer-dropping-proxy';

/** A dispatcher recording the path and headers of every request going through it. */
function recordingDispatcher() {
  const agent = new Agent();
  const requests: Array<{ path: string; headers: Record<string, string> }> = [];
  const dispatcher: Dispatcher = agent.compose((dispatch) => (options, handler) => {
    const headers: Record<string, string> = {};
    const raw = options.headers;
    if (Array.isArray(raw)) {
      for (let i = 0; i + 1 < raw.length; i += 2) {
        headers[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
      }
    } else if (raw && typeof raw === 'object') {
      for (const [k, v] of Object.entries(raw)) headers[k.toLowerCase()] = String(v);
    }
    requests.push({ path: options.path, headers });
    return dispatch(options, handler);
  });
  return { dispatcher, requests, close: () => agent.close() };
}

/**
 * What the client puts on the wire and how it treats its dispatcher and addresses (core README,
 * "Client options" and "Per-call options and metadata"), against a real agent.
 */
describe('the client on the wire', () => {
  const fx = useAgent();
  const TOKEN = 'e3b0c442-98fc-1c14-9afb-f4c8996fb924';

  it('sends the token as X-Consul-Token on every call, never as ?token=, and never logs it', async () => {
    const recorder = recordingDispatcher();
    const logged: string[] = [];
    const log =
      (level: string): ConsulLogger['warn'] =>
      (message, context) =>
        logged.push(`${level} ${message} ${JSON.stringify(context ?? {})}`);
    const logger: ConsulLogger = {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
    };
    // A first address that refuses connections makes the client log (a warning and retries).
    const [closed] = await freePorts(1);
    const consul = fx.client({
      address: [`http://127.0.0.1:${closed}`, fx.agent.address],
      token: TOKEN,
      dispatcher: recorder.dispatcher,
      logger,
    });
    await consul.kv.put('wire/token', 'v');
    await consul.kv.get('wire/token');
    await consul.health.service('consul');
    const session = await consul.session.create();
    await consul.session.destroy(session);
    await expect(consul.session.renew(session)).rejects.toBeInstanceOf(ConsulNotFoundError);
    await consul.close();
    await recorder.close();
    expect(recorder.requests.length).toBeGreaterThanOrEqual(6);
    for (const { path, headers } of recorder.requests) {
      expect(headers['x-consul-token']).toBe(TOKEN);
      expect(path).not.toMatch(/[?&]token=/);
    }
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.filter((line) => line.includes(TOKEN))).toEqual([]);
  });

  it('adds dc=, ns= and partition= from the options to every call', async () => {
    const recorder = recordingDispatcher();
    const consul = fx.client({
      datacenter: fx.agent.datacenter,
      dispatcher: recorder.dispatcher,
      logger: silentLogger,
    });
    await consul.kv.put('wire/dc', 'v');
    const entry = await consul.kv.get('wire/dc');
    await consul.kv.get('wire/dc', { index: entry?.modifyIndex, wait: '100ms' });
    await consul.health.service('consul');
    await consul.txn([{ verb: 'get', key: 'wire/dc' }]);
    await consul.agent.self();
    expect(recorder.requests.length).toBe(6);
    const dc = `dc=${fx.agent.datacenter}`;
    expect(recorder.requests.filter(({ path }) => !path.includes(dc))).toEqual([]);

    // Enterprise parameters: sent as given (an OSS agent may refuse them; what is sent is checked).
    const enterprise = fx.client({
      namespace: 'team-a',
      partition: 'part-1',
      dispatcher: recorder.dispatcher,
      logger: silentLogger,
      retry: false,
    });
    const before = recorder.requests.length;
    await enterprise.kv.get('wire/ns').catch(() => undefined);
    await consul.close();
    await enterprise.close();
    await recorder.close();
    const sent = recorder.requests.slice(before).map(({ path }) => path);
    expect(sent).toEqual([expect.stringMatching(/[?&]ns=team-a(&|$)/)]);
    expect(sent[0]).toMatch(/[?&]partition=part-1(&|$)/);
  });

  it('sends a read-only transaction with stale or consistent as asked', async () => {
    const recorder = recordingDispatcher();
    const consul = fx.client({ dispatcher: recorder.dispatcher });
    await consul.kv.put('wire/txn', 'v');
    const stale = await consul.txn([{ verb: 'get', key: 'wire/txn' }], { stale: true });
    const consistent = await consul.txn([{ verb: 'get', key: 'wire/txn' }], { consistent: true });
    expect([stale.results[0]?.value, consistent.results[0]?.value]).toEqual(['v', 'v']);
    const txns = recorder.requests.filter(({ path }) => path.startsWith('/v1/txn'));
    expect(txns.map(({ path }) => path)).toEqual([
      expect.stringMatching(/[?&]stale(=|&|$)/),
      expect.stringMatching(/[?&]consistent(=|&|$)/),
    ]);
    await consul.close();
    await recorder.close();
  });

  it('does not close a dispatcher it was given', async () => {
    const recorder = recordingDispatcher();
    const consul = fx.client({ dispatcher: recorder.dispatcher });
    await consul.kv.put('wire/dispatcher', 'v');
    await consul.close();
    const { statusCode, body } = await request(`${fx.agent.address}/v1/kv/wire/dispatcher?raw`, {
      dispatcher: recorder.dispatcher,
    });
    expect(statusCode).toBe(200);
    expect(await body.text()).toBe('v');
    await recorder.close();
  });

  it('tries the next address on a refused connection only, never after an HTTP error', async () => {
    // The second address is a pass-through proxy to the same agent: it records what reaches it.
    const second = await startAnswerDroppingProxy(fx.agent.address);
    const consul = fx.client({ address: [fx.agent.address, second.address], logger: silentLogger });
    const gone = await consul.session.create();
    await consul.session.destroy(gone);
    // 404 for an unknown session, a 400 for a bad filter: answered errors, not connection failures.
    await expect(consul.session.renew(gone)).rejects.toBeInstanceOf(ConsulNotFoundError);
    await expect(consul.health.service('consul', { filter: '((' })).rejects.toMatchObject({
      code: 'CONSUL_BAD_REQUEST',
    });
    expect(second.requests).toEqual([]);
    expect(consul.transport.activeAddress).toBe(fx.agent.address);
    await consul.close();
    await second.close();
  });

  it('gives a blocking query wait + wait/16 + timeout: it outlasts the call timeout without failing', async () => {
    const consul = fx.client({ timeout: '1s' });
    await consul.kv.put('wire/blocking', 'v');
    const entry = await consul.kv.get('wire/blocking');
    const sentAt = performance.now();
    const again = await consul.kv.get('wire/blocking', {
      index: entry?.meta.index,
      wait: '3s',
    });
    const tookMs = performance.now() - sentAt;
    console.log(
      `blocking query with wait 3 s and timeout 1 s answered after ${tookMs.toFixed(0)} ms`,
    );
    // Consul holds it for at least `wait` (3 s), three times the 1 s call timeout.
    expect(tookMs).toBeGreaterThanOrEqual(3_000);
    expect(again?.value).toBe('v');
  });

  it('reports X-Consul-Index as meta.index, and 0 when the endpoint sends none', async () => {
    const consul = fx.client();
    await consul.kv.put('wire/index', 'v');
    expect((await consul.kv.get('wire/index'))?.meta.index).toBeGreaterThanOrEqual(1);
    const checks = await consul.agent.checks();
    expect(checks.meta.index).toBe(0);
  });
});
