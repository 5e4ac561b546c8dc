import http from 'node:http';
import https from 'node:https';

/** Status and body text of a {@link probe}. */
export interface ProbeResponse {
  status: number;
  body: string;
}

/** A tiny GET used only by the harness (readiness, leader lookup), so it needs no HTTP library. */
export function probe(
  url: string,
  options: { ca?: string; cert?: string; key?: string; token?: string; timeoutMs?: number } = {},
): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = {};
    if (options.token) headers['X-Consul-Token'] = options.token;
    const req = client.get(
      target,
      {
        headers,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        timeout: options.timeoutMs ?? 2_000,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout probing ${url}`)));
    req.on('error', reject);
  });
}

/**
 * Options of the readiness polls: the agent's CA, client certificate and key (PEM, for an agent
 * that verifies incoming connections) and token, and a check that it still runs.
 */
export interface PollOptions {
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  isDead?: () => boolean;
}

/**
 * GETs `url` every `intervalMs` until `accept` takes a 200 answer's body (returns a value, not
 * `undefined`) or `deadline` (epoch ms) passes; fails early if the agent process exited. `pending`
 * says why a 200 answer was not accepted, and the final error ends with the last such reason.
 */
async function pollUntil<T>(
  url: string,
  deadline: number,
  options: PollOptions,
  intervalMs: number,
  accept: (body: string) => T | undefined,
  pending: string,
  failure: string,
): Promise<T> {
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (options.isDead?.()) throw new Error('the agent process exited');
    try {
      const res = await probe(url, {
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        token: options.token,
      });
      if (res.status === 200) {
        const accepted = accept(res.body);
        if (accepted !== undefined) return accepted;
        lastError = pending;
      } else {
        lastError = `HTTP ${res.status} ${res.body.trim()}`;
      }
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${failure} before the deadline (${lastError})`);
}

/** Polls `GET /v1/status/leader` until it names a leader or `deadline` (epoch ms) passes. */
export function waitForLeader(
  address: string,
  deadline: number,
  options: PollOptions = {},
): Promise<string> {
  return pollUntil(
    `${address}/v1/status/leader`,
    deadline,
    options,
    100,
    (body) => {
      const leader = JSON.parse(body) as unknown;
      return typeof leader === 'string' && leader.length > 0 ? leader : undefined;
    },
    'no leader elected yet',
    'no leader',
  );
}

/** Waits until `/v1/health/node/<node>` lists the check `checkId` (any status). */
export async function waitForNodeCheck(
  address: string,
  node: string,
  checkId: string,
  deadline: number,
  options: PollOptions = {},
): Promise<void> {
  await pollUntil(
    `${address}/v1/health/node/${encodeURIComponent(node)}`,
    deadline,
    options,
    50,
    (body) => {
      const checks = JSON.parse(body) as Array<{ CheckID?: string }>;
      return checks.some((c) => c.CheckID === checkId) ? true : undefined;
    },
    `no ${checkId} check yet`,
    `node ${node} has no ${checkId} check`,
  );
}

/**
 * Polls `GET /v1/catalog/datacenters` until it lists every name of `expected` (WAN federation
 * converged, as seen by this agent) or `deadline` (epoch ms) passes.
 */
export async function waitForDatacenters(
  address: string,
  expected: readonly string[],
  deadline: number,
  options: PollOptions = {},
): Promise<void> {
  await pollUntil(
    `${address}/v1/catalog/datacenters`,
    deadline,
    options,
    100,
    (body) => {
      const seen = JSON.parse(body) as unknown;
      return Array.isArray(seen) && expected.every((dc) => seen.includes(dc)) ? true : undefined;
    },
    `not every datacenter of ${expected.join(', ')} is listed yet`,
    `${address} did not list the datacenters ${expected.join(', ')}`,
  );
}
