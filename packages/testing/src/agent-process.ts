import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { LogBuffer } from './log-buffer';
import { currentRunPid, forgetAgent, recordAgent } from './process-registry';
import { type HarnessLogger } from './log';

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when a test forgets stop(): never leave an agent behind this process.
  process.once('exit', () => {
    for (const child of running) {
      if (child.pid === undefined) continue;
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
      forgetAgent(child.pid);
    }
  });
}

/** One running `consul agent` process with its captured output. */
export class AgentProcess {
  readonly log = new LogBuffer();
  /** Report an exit nobody asked for through the logger (off while a launcher reports failures itself). */
  reportUnexpectedExit = true;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private expectingExit = false;

  constructor(
    private readonly binary: string,
    private readonly args: readonly string[],
    private readonly dataDir: string,
    /** Node name, used in messages. */
    readonly name: string,
    private readonly logger: HarnessLogger,
  ) {}

  /** PID while the process runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True from `start()` until the process exits. */
  get isRunning(): boolean {
    return this.child !== undefined;
  }

  /** Spawns the agent, records its PID for stale-agent cleanup and captures its output. */
  start(): void {
    installExitHook();
    this.expectingExit = false;
    const child = spawn(this.binary, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(child);
    child.stdout?.on('data', (chunk: Buffer) => this.log.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.log.push(chunk));
    if (child.pid !== undefined) {
      recordAgent({
        pid: child.pid,
        ownerPid: process.pid,
        runPid: currentRunPid(),
        binary: this.binary,
        dataDir: this.dataDir,
        startedAt: new Date().toISOString(),
      });
    }
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        if (child.pid !== undefined) forgetAgent(child.pid);
        if (this.child === child) this.child = undefined;
        if (!this.expectingExit && this.reportUnexpectedExit) {
          this.logger(
            `consul agent ${this.name} (pid ${child.pid}) exited unexpectedly ` +
              `(code ${code}, signal ${signal}). Its last output:\n${this.log.text()}`,
          );
        }
        resolve();
      });
      child.once('error', (err) => {
        this.log.push(`spawn error: ${err.message}\n`);
        if (child.pid !== undefined) return;
        // Never spawned (no 'exit' follows): fail the start now instead of at its timeout.
        running.delete(child);
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });
  }

  /** Sends `signal`, waits for the exit, and escalates to SIGKILL after `graceMs`. */
  async terminate(signal: NodeJS.Signals = 'SIGINT', graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the process (`signal`, default SIGINT) and removes its data folder. */
  async dispose(signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
    await this.terminate(signal);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
