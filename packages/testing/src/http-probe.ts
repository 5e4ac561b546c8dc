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
  options: { ca?: string; token?: string; timeoutMs?: number } = {},
): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = {};
    if (options.token) headers['X-Consul-Token'] = options.token;
    const req = client.get(
      target,
      { headers, ca: options.ca, timeout: options.timeoutMs ?? 2_000, agent: false },
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

/** Polls `GET /v1/status/leader` until it names a leader or `deadline` (epoch ms) passes. */
export async function waitForLeader(
  address: string,
  deadline: number,
  options: { ca?: string; isDead?: () => boolean } = {},
): Promise<string> {
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (options.isDead?.()) throw new Error('the agent process exited');
    try {
      const res = await probe(`${address}/v1/status/leader`, { ca: options.ca });
      if (res.status === 200) {
        const leader = JSON.parse(res.body) as unknown;
        if (typeof leader === 'string' && leader.length > 0) return leader;
        lastError = 'no leader elected yet';
      } else {
        lastError = `HTTP ${res.status} ${res.body.trim()}`;
      }
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no leader before the deadline (${lastError})`);
}

/** Waits until `/v1/health/node/<node>` lists the check `checkId` (any status). */
export async function waitForNodeCheck(
  address: string,
  node: string,
  checkId: string,
  deadline: number,
  options: { ca?: string; token?: string; isDead?: () => boolean } = {},
): Promise<void> {
  let lastError = 'no answer yet';
  const url = `${address}/v1/health/node/${encodeURIComponent(node)}`;
  while (Date.now() < deadline) {
    if (options.isDead?.()) throw new Error('the agent process exited');
    try {
      const res = await probe(url, { ca: options.ca, token: options.token });
      if (res.status === 200) {
        const checks = JSON.parse(res.body) as Array<{ CheckID?: string }>;
        if (checks.some((c) => c.CheckID === checkId)) return;
        lastError = `no ${checkId} check yet`;
      } else {
        lastError = `HTTP ${res.status} ${res.body.trim()}`;
      }
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`node ${node} has no ${checkId} check before the deadline (${lastError})`);
}
