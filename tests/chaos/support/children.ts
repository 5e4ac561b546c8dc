import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/** One JSON line a child printed on stdout. */
export type ChildEvent = { event: string } & Record<string, unknown>;

/** A child process this suite started, talking JSON lines on stdout. */
export interface Child {
  readonly pid: number;
  readonly process: ChildProcess;
  /** Every event printed so far, in order. */
  readonly events: ChildEvent[];
  /** Its stderr (for failure messages). */
  stderr(): string;
  /** Waits (bounded) for the first event matching `predicate` (seen already or to come). */
  next(predicate: (e: ChildEvent) => boolean, timeoutMs: number, what: string): Promise<ChildEvent>;
  /** Sends a signal by PID (no-op once exited). */
  signal(signal: NodeJS.Signals): void;
  /** Resolves with the exit code/signal once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly running: boolean;
}

const started = new Set<Child>();

/** Path of a script in this folder. */
export function supportScript(name: string): string {
  return path.join(__dirname, name);
}

/** Starts `node <script> ...args` and tracks it, so {@link killChildren} can end it by PID. */
export function startNodeChild(script: string, args: readonly string[], env = {}): Child {
  return track(
    spawn(process.execPath, [script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** Starts any command (e.g. the `consul` binary) and tracks it. */
export function startChild(command: string, args: readonly string[], env = {}): Child {
  return track(
    spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

function track(proc: ChildProcess): Child {
  if (proc.pid === undefined) throw new Error('child process did not start');
  const events: ChildEvent[] = [];
  const waiters = new Set<{
    predicate: (e: ChildEvent) => boolean;
    resolve: (e: ChildEvent) => void;
  }>();
  let stderr = '';
  let buffer = '';
  let running = true;
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      if (!line.startsWith('{')) continue;
      let event: ChildEvent;
      try {
        event = JSON.parse(line) as ChildEvent;
      } catch {
        continue;
      }
      events.push(event);
      for (const w of [...waiters]) {
        if (w.predicate(event)) {
          waiters.delete(w);
          w.resolve(event);
        }
      }
    }
  });
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => {
      running = false;
      started.delete(child);
      resolve({ code, signal });
    }),
  );
  const child: Child = {
    pid: proc.pid,
    process: proc,
    events,
    stderr: () => stderr,
    exited,
    get running() {
      return running;
    },
    next(predicate, timeoutMs, what) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise<ChildEvent>((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (e: ChildEvent) => {
            clearTimeout(timer);
            resolve(e);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `child ${proc.pid}: no ${what} within ${timeoutMs} ms (running: ${running}); ` +
                `events ${JSON.stringify(events.slice(-5))}; stderr ${stderr.slice(-1_000)}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    signal(signal) {
      if (!running) return;
      try {
        process.kill(proc.pid as number, signal);
      } catch {
        // Exited meanwhile.
      }
    },
  };
  started.add(child);
  return child;
}

/** SIGKILLs (by PID) every child this suite started that still runs, and waits for them. */
export async function killChildren(): Promise<void> {
  const all = [...started];
  for (const child of all) {
    child.signal('SIGCONT');
    child.signal('SIGKILL');
  }
  await Promise.all(all.map((c) => c.exited));
}
