/**
 * Local HTTP backends for the discovery benchmark, run in a child process so that their CPU is not
 * counted as the client's (`process.cpuUsage()` of the benchmark measures the client alone).
 *
 * Run directly (`node backends.js <count>`), it starts `count` node:http servers on 127.0.0.1,
 * prints their ports as one JSON line and serves until its stdin closes (so it dies with its
 * parent, whatever happens to the parent).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

/** Backends started by {@link startBackends}. */
export interface Backends {
  ports: number[];
  /**
   * CPU time the backends process used so far, in µs (Linux `/proc`, 10 ms ticks; NaN elsewhere):
   * read around a comparison to tell whether the backends were close to saturating a core.
   */
  cpuUs(): number;
  /** Stops the child process (by its PID) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Spawns the backends child and waits (at most `timeoutMs`) for its ports. */
export async function startBackends(count: number, timeoutMs = 15_000): Promise<Backends> {
  const child: ChildProcess = spawn(process.execPath, [__filename, String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ports = await new Promise<number[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('backends did not start in time')), timeoutMs);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as number[]);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`backends exited with ${code}`));
    });
  });
  return {
    ports,
    cpuUs: () => processCpuUs(child.pid),
    async stop() {
      child.stdin?.end();
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      await exited;
    },
  };
}

/** utime + stime of a process in µs, assuming the usual 100 clock ticks per second. */
function processCpuUs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}

async function serve(count: number): Promise<void> {
  const body = Buffer.from('{"ok":true}');
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<http.Server>((resolve) => {
          const server = http.createServer((_req, res) => {
            res.writeHead(200, {
              'content-type': 'application/json',
              'content-length': body.length,
            });
            res.end(body);
          });
          // Keep idle pooled connections across the pauses between rounds.
          server.keepAliveTimeout = 120_000;
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  process.stdout.write(
    `${JSON.stringify(servers.map((s) => (s.address() as AddressInfo).port))}\n`,
  );
  const stop = () => {
    for (const s of servers) s.closeAllConnections();
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  void serve(Number(process.argv[2] ?? 3));
}
