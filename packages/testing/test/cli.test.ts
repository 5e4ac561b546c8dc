import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { isExecutable } from '../src/which';
import { exitOf, waitUntil, waitUntilGone } from './helpers';

const execFileAsync = promisify(execFile);
const cli = path.join(__dirname, '..', 'dist', 'cli.js');

describe('consulkit-consul CLI', () => {
  let dev: ChildProcess | undefined;

  afterAll(async () => {
    if (dev && dev.exitCode === null) {
      dev.kill('SIGINT'); // the CLI stops its agent itself
      await exitOf(dev);
    }
  });

  it('path prints the path of a working consul executable', async () => {
    const { stdout } = await execFileAsync(process.execPath, [cli, 'path']);
    const binary = stdout.trim();
    expect(path.isAbsolute(binary)).toBe(true);
    expect(isExecutable(binary)).toBe(true);
    const version = await execFileAsync(binary, ['version']);
    expect(version.stdout).toMatch(/^Consul v\d+\.\d+\.\d+/);
  });

  it('dev prints the address, serves until Ctrl-C, then stops its agent', async () => {
    dev = spawn(process.execPath, [cli, 'dev'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    dev.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitUntil(() => output.includes('Press Ctrl-C to stop.'), 'the agent is up', 30_000);
    const pid = /dev agent running \(pid (\d+)\)/.exec(output)?.[1];
    const address = /CONSUL_HTTP_ADDR=(\S+)/.exec(output)?.[1];
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const leader = await fetch(`${address}/v1/status/leader`);
    expect(await leader.json()).toMatch(/^127\.0\.0\.1:\d+$/);

    dev.kill('SIGINT');
    expect(await exitOf(dev)).toBe(0);
    expect(output).toContain('stopped');
    await waitUntilGone(Number(pid));
  });
});
