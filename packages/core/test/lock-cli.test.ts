import { spawn } from 'node:child_process';
import { LOCK_FLAG_VALUE } from '../src/coordination/constants';
import { useAgent } from './support/agent';
import { delay, waitFor } from './support/coordination';

interface CliRun {
  pid: number | undefined;
  exited: Promise<{ code: number | null; at: number; output: string }>;
}

/** Runs the official `consul lock` CLI against the test agent (binary from jest's global setup). */
function consulLock(address: string, token: string | undefined, args: string[]): CliRun {
  const bin = process.env.CONSUL_BIN;
  if (!bin) throw new Error('CONSUL_BIN is not set (jest global setup provides it)');
  const child = spawn(bin, ['lock', `-http-addr=${address}`, ...args], {
    env: { ...process.env, CONSUL_HTTP_TOKEN: token ?? '', CONSUL_HTTP_ADDR: address },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; at: number; output: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, at: performance.now(), output })),
  );
  return { pid: child.pid, exited };
}

describe('consul.lock interop with the official `consul lock` CLI', () => {
  const fx = useAgent();

  it('waits while `consul lock <prefix>` holds <prefix>/.lock and acquires after it exits', async () => {
    const consul = fx.client();
    const cli = consulLock(fx.agent.address, fx.agent.token, ['cli-interop/a', 'sleep 3']);
    // The CLI holds the lock once its session is on the key.
    const held = await waitFor(
      async () => {
        const entry = await consul.kv.get('cli-interop/a/.lock');
        return entry?.session ? entry : undefined;
      },
      { timeout: 10_000 },
    );
    expect(held.flags).toBe(LOCK_FLAG_VALUE);

    let acquiredAt: number | undefined;
    const ours = consul
      .lock('cli-interop/a', { goCompatible: true, lockDelay: '0s' })
      .acquire({ timeout: '30s' })
      .then((h) => {
        acquiredAt = performance.now();
        return h;
      });
    await delay(1_000);
    expect(acquiredAt).toBeUndefined(); // still blocked while the CLI's child runs

    const exit = await cli.exited;
    expect(exit.code).toBe(0);
    const lock = await ours;
    expect(lock.key).toBe('cli-interop/a/.lock');
    expect(acquiredAt).toBeDefined();
    expect((await consul.kv.get('cli-interop/a/.lock'))?.session).toBe(lock.session);
    await lock.release();
  }, 40_000);

  it('makes `consul lock -timeout=1s <prefix> true` fail while we hold it, and succeed after', async () => {
    const consul = fx.client();
    const held = await consul
      .lock('cli-interop/b', { goCompatible: true, lockDelay: '0s' })
      .acquire({ timeout: '10s' });

    const blocked = await consulLock(fx.agent.address, fx.agent.token, [
      '-timeout=1s',
      'cli-interop/b',
      'true',
    ]).exited;
    expect(blocked.code).not.toBe(0);
    expect(held.signal.aborted).toBe(false);

    await held.release();
    const free = await consulLock(fx.agent.address, fx.agent.token, [
      '-timeout=5s',
      'cli-interop/b',
      'true',
    ]).exited;
    expect(free.code).toBe(0);
  }, 40_000);
});
