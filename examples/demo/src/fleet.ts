import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { delay } from '@consulkit/testing';

/** The two kinds of services the demo runs. */
export type Role = 'origin' | 'edge';

/** How a member process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One service process of the demo. */
export interface Member {
  /** The Consul service ID it registers (`origin-1`...). */
  readonly id: string;
  readonly role: Role;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  /** Set once it exited. */
  exit: Exit | undefined;
}

/** Where the fleet finds its programs and what it gives them. */
export interface FleetOptions {
  /** The Consul agent the services register with. */
  consulAddress: string;
  /** Folder of the per-process log files. */
  logDir: string;
  /** Entry point (a built `main.js`) of each role. */
  entries: Record<Role, string>;
  /** Script preloaded into every process (`--require`). */
  guard: string;
  /** Extra environment of every process (check interval, drain...). */
  env: Record<string, string>;
}

/**
 * Starts and stops the demo's service processes — the examples' own `main.js`, unchanged — on
 * 127.0.0.1, and remembers every PID it started so that none is left behind. Processes get their
 * own process group (a Ctrl-C reaches only the demo, which then stops them gracefully) and an IPC
 * channel (the guard ends them if the demo dies).
 */
export class Fleet {
  private readonly members = new Map<string, Member>();
  private readonly started: number[] = [];

  constructor(private readonly options: FleetOptions) {}

  /** Every PID started so far (running or not). */
  get pids(): readonly number[] {
    return this.started;
  }

  /** The processes still running. */
  running(role?: Role): Member[] {
    return [...this.members.values()].filter((m) => !m.exit && (!role || m.role === role));
  }

  /** The process registered as `id` (the latest one when it was restarted). */
  get(id: string): Member {
    const member = this.members.get(id);
    if (!member) throw new Error(`no process "${id}"`);
    return member;
  }

  /** Starts a service process registering as `id`, listening on `port` (0: any free port). */
  start(role: Role, id: string, port = 0): Member {
    const logFile = path.join(this.options.logDir, `${id}.log`);
    const fd = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        process.execPath,
        ['--require', this.options.guard, this.options.entries[role]],
        {
          env: {
            ...withoutConsulEnv(process.env),
            ...this.options.env,
            CONSUL_HTTP_ADDR: this.options.consulAddress,
            SERVICE_ID: id,
            HOST: '127.0.0.1',
            PORT: String(port),
            NO_COLOR: '1',
          },
          stdio: ['ignore', fd, fd, 'ipc'],
          detached: true,
        },
      );
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) throw new Error(`could not start ${id}`);
    this.started.push(child.pid);
    const member: Member = {
      id,
      role,
      pid: child.pid,
      logFile,
      exit: undefined,
      exited: new Promise<Exit>((resolve) =>
        child.once('exit', (code, signal) => {
          member.exit = { code, signal };
          resolve(member.exit);
        }),
      ),
    };
    // The IPC channel is only a lifeline for the guard; nothing is sent over it.
    child.on('error', () => undefined);
    this.members.set(id, member);
    return member;
  }

  /** Sends `signal` to a running process (by its PID). */
  signal(id: string, signal: NodeJS.Signals): void {
    const member = this.get(id);
    if (!member.exit) process.kill(member.pid, signal);
  }

  /**
   * Stops a process gracefully (SIGTERM: it drains and deregisters), SIGKILL after `timeout` ms.
   * Resolves with how it ended and whether it ended within the grace period.
   */
  async stop(id: string, timeout = 15_000): Promise<{ exit: Exit; graceful: boolean }> {
    const member = this.get(id);
    if (member.exit) return { exit: member.exit, graceful: true };
    process.kill(member.pid, 'SIGTERM');
    const ended = await Promise.race([member.exited, delay(timeout).then(() => undefined)]);
    if (ended) return { exit: ended, graceful: true };
    process.kill(member.pid, 'SIGKILL');
    return { exit: await member.exited, graceful: false };
  }

  /** Stops every running process at once (gracefully, then by force). */
  async stopAll(timeout = 15_000): Promise<Array<{ id: string; exit: Exit; graceful: boolean }>> {
    return Promise.all(
      this.running().map(async (m) => ({ id: m.id, ...(await this.stop(m.id, timeout)) })),
    );
  }

  /**
   * Resolves as `work` does, but rejects at once (with the end of its log) if one of the processes
   * `ids` exits first: waiting for a crashed process to register would only time out.
   */
  async unlessExited<T>(ids: readonly string[], work: Promise<T>): Promise<T> {
    let settled = false;
    const exits = ids.map((id) =>
      this.get(id).exited.then((exit): Promise<never> => {
        if (settled) return new Promise<never>(() => undefined);
        const log = this.tail(id).join('\n      ');
        throw new Error(`${id} exited (${exit.signal ?? exit.code}):\n      ${log}`);
      }),
    );
    work.catch(() => undefined); // its own timeout, after an exit won the race
    try {
      return await Promise.race([work, ...exits]);
    } finally {
      settled = true;
    }
  }

  /** Last lines of a process's log, to explain a failure. */
  tail(id: string, lines = 15): string[] {
    try {
      const text = readFileSync(this.get(id).logFile, 'utf8');
      return text.trimEnd().split('\n').slice(-lines);
    } catch {
      return [];
    }
  }
}

/**
 * The demo's services talk to the local dev agent only: drop the user's CONSUL_* settings (a token
 * or CA meant for a real cluster) from their environment.
 */
function withoutConsulEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('CONSUL_')));
}
