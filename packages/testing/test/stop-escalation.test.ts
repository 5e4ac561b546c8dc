import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '../src';
import { AgentProcess } from '../src/agent-process';
import { silentLogger } from '../src/log';
import { isAlive } from '../src/proc-info';

/** Timers count from the event loop's cached clock, which may lag `performance.now()` slightly. */
const TIMER_SLACK_MS = 50;

/**
 * `agent.stop()` is `dispose()` of the agent's process (testing README: "graceful stop (SIGKILL
 * after 10 s), removes the data folder"), shown here on processes that play the agent: one that
 * ignores SIGINT, one that exits on it.
 */
describe('stopping an agent process', () => {
  function playAgent(script: string) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'consulkit-stop-test-'));
    const proc = new AgentProcess(
      process.execPath,
      ['-e', script],
      dataDir,
      'stand-in',
      silentLogger,
    );
    proc.start();
    return { proc, dataDir };
  }

  it('sends SIGINT first, then SIGKILL once 10 s have passed, and removes the data folder', async () => {
    const { proc, dataDir } = playAgent(
      "process.on('SIGINT', () => process.stdout.write('SIGINT ignored\\n'));" +
        "process.stdout.write('ready\\n'); setInterval(() => {}, 1000);",
    );
    await waitFor(() => proc.log.text().includes('ready'));
    const pid = proc.pid as number;
    const stoppedAt = performance.now();
    await proc.dispose();
    const tookMs = performance.now() - stoppedAt;
    console.log(`a process ignoring SIGINT was killed ${tookMs.toFixed(0)} ms after stop()`);
    expect(proc.log.text()).toContain('SIGINT ignored');
    expect(tookMs).toBeGreaterThanOrEqual(10_000 - TIMER_SLACK_MS);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  }, 30_000);

  it('lets a process that exits on SIGINT end by itself, and removes the data folder', async () => {
    const { proc, dataDir } = playAgent(
      "process.on('SIGINT', () => { process.stdout.write('bye\\n'); process.exit(0); });" +
        "process.stdout.write('ready\\n'); setInterval(() => {}, 1000);",
    );
    await waitFor(() => proc.log.text().includes('ready'));
    const pid = proc.pid as number;
    await proc.dispose();
    expect(proc.log.text()).toContain('bye');
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  });
});
