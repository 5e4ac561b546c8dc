import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { uniqueName, useAgent, waitFor } from './support/helpers';

jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '..', '..', '..');

/** The README's runnable example (the `js` block under "A runnable example"), verbatim. */
function readmeExample(): string {
  const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const code = /## A runnable example[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!code) throw new Error('no js block under "A runnable example" in the README');
  return code;
}

/** One `node greeter.mjs` process, its output collected. */
function startGreeter(file: string, address: string) {
  const child: ChildProcess = spawn(process.execPath, [file], {
    env: { ...process.env, CONSUL_HTTP_ADDR: address },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, exited: once(child, 'exit'), output: () => output };
}

async function relay(port: number): Promise<{ text: string; port: number }> {
  const res = await fetch(`http://127.0.0.1:${port}/relay/ada`);
  if (res.status !== 200) throw new Error(`relay answered ${res.status}`);
  return (await res.json()) as { text: string; port: number };
}

/**
 * The README's example run as its text says: two instances, `/relay` alternating between them, a
 * KV write changing the greeting without a restart, Ctrl-C (SIGINT) taking one out of the catalog
 * after the drain while `/relay` keeps working on the other.
 */
describe('the README example (greeter.mjs)', () => {
  const fx = useAgent();
  const greeters: Array<ReturnType<typeof startGreeter>> = [];
  // Under node_modules so that its imports resolve to this workspace's packages.
  const dir = path.join(ROOT, 'node_modules', '.cache', 'consulkit', uniqueName('readme'));

  afterAll(async () => {
    for (const g of greeters) {
      if (g.child.exitCode === null && g.child.signalCode === null) g.child.kill('SIGKILL');
      await g.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs as documented against a real agent', async () => {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'greeter.mjs');
    writeFileSync(file, readmeExample());
    const consul = fx.client();
    await consul.kv.delete('config/greeter/greeting');

    greeters.push(startGreeter(file, fx.agent.address), startGreeter(file, fx.agent.address));
    const instances = await waitFor(
      () => consul.health.service('greeter', { passing: true }),
      (list) => list.length === 2,
      { timeout: 30_000, what: 'two passing greeter instances' },
    );
    const ports = instances.map((i) => i.service.port).sort();

    // `/relay/ada` on either instance: the answering port alternates between the two.
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await relay(ports[0] as number));
    expect(answers.map((a) => a.text)).toEqual(Array(4).fill('hello, ada'));
    expect(new Set(answers.map((a) => a.port))).toEqual(new Set(ports));
    expect(answers[0]?.port).not.toBe(answers[1]?.port);

    // consul kv put config/greeter/greeting bonjour: the greeting changes without a restart.
    await consul.kv.put('config/greeter/greeting', 'bonjour');
    await waitFor(
      () => relay(ports[1] as number),
      (a) => a.text === 'bonjour, ada',
      { timeout: 15_000 },
    );

    // Ctrl-C on one: it leaves the catalog after the drain, /relay keeps working on the other.
    const [first, second] = greeters as [
      ReturnType<typeof startGreeter>,
      ReturnType<typeof startGreeter>,
    ];
    const firstPort = Number(/listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(first.output())?.[1]);
    expect(ports).toContain(firstPort);
    first.child.kill('SIGINT');
    await first.exited;
    expect(await consul.catalog.service('greeter')).toHaveLength(1);
    const survivor = ports.find((p) => p !== firstPort) as number;
    for (let i = 0; i < 3; i++) {
      expect(await relay(survivor)).toEqual({ text: 'bonjour, ada', port: survivor });
    }
    expect(second.child.exitCode).toBeNull();
  });
});
