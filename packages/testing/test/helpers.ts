import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import path from 'node:path';
import { type Readable } from 'node:stream';
import { startConsul, type ConsulAgent, type StartConsulOptions } from '../src';
import { isAlive } from '../src/proc-info';

/** Resolves with the first line of `stream` matching `pattern`. */
export function waitForLine(
  stream: Readable,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; got:\n${buffered}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n')) {
        const match = pattern.exec(line);
        if (match) {
          clearTimeout(timer);
          stream.off('data', onData);
          resolve(match);
          return;
        }
      }
    };
    stream.on('data', onData);
  });
}

/** Polls `condition` every 100 ms until it holds; fails after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until no process `pid` runs any more (a zombie awaiting its reaper counts as gone). */
export function waitUntilGone(pid: number, timeoutMs = 15_000): Promise<void> {
  return waitUntil(() => !isAlive(pid), `pid ${pid} is gone`, timeoutMs);
}

/** Resolves with the exit code (or signal) of `child`. */
export function exitOf(child: ChildProcess): Promise<number | NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.exitCode ?? child.signalCode);
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}

/** What the agent-owner fixture reports about the agent it started. */
export interface OwnedAgent {
  child: ChildProcess;
  ownerPid: number;
  agentPid: number;
  dataDir: string;
}

/** Starts the fixture process that owns one dev agent, recording it in `stateDir`. */
export async function spawnAgentOwner(stateDir: string): Promise<OwnedAgent> {
  const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'agent-owner.js')], {
    env: { ...process.env, CONSULKIT_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line = ''] = await waitForLine(child.stdout as Readable, /^\{.*\}$/);
  const info = JSON.parse(line) as Omit<OwnedAgent, 'child'>;
  return { child, ...info };
}

/** A GET with node:https that trusts only `ca` (when given). */
export function httpsGet(
  url: string,
  ca?: string,
  client?: { cert: string; key: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const options = { ca, ...client, agent: false, timeout: 5_000 };
    const req = https.get(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/**
 * Starts an agent in `beforeAll` and stops it in `afterAll` of the calling `describe`; returns a
 * getter for it.
 */
export function useAgent(options?: StartConsulOptions): () => ConsulAgent {
  let agent: ConsulAgent | undefined;
  beforeAll(async () => {
    agent = await startConsul(options);
  });
  afterAll(async () => {
    await agent?.stop();
  });
  return () => {
    if (!agent) throw new Error('the agent did not start');
    return agent;
  };
}
