import { spawn } from 'node:child_process';
import path from 'node:path';

/** The demo as `npm run demo` runs it, after the build (`tsc -b`). */
const DEMO = path.resolve(__dirname, '..', 'dist', 'main.js');

/** The scenario's steps, in order: each must print `✔ [n/10] <title> — <figures>`. */
const TITLES = [
  'Start a local Consul dev agent',
  'Seed the CDN configuration in KV',
  'Start 3 origins (Fastify) and 2 edges (NestJS)',
  'The catalog',
  'Requests spread over the origins',
  'A KV change picked up live',
  'An origin killed: traffic fails over',
  'The origin restarted and re-admitted',
  'The leader-only purge job moves to the other edge',
  'Graceful shutdown leaves the catalog empty',
];

interface StepResult {
  index: number;
  title: string;
  ok: boolean;
  figures: Record<string, unknown>;
}

interface DemoResult {
  ok: boolean;
  steps: StepResult[];
  pids: number[];
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the demo with `--ci`; kills it (and fails) if it has not ended within `timeout`. */
function runDemo(timeout: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO, '--ci'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGINT'); // the demo then stops everything it started
      reject(new Error(`the demo did not end within ${timeout} ms:\n${stdout}\n${stderr}`));
    }, timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('the demo (npm run demo -- --ci)', () => {
  let run: Run;
  let result: DemoResult;
  const figures = (index: number) => result.steps[index - 1].figures;

  beforeAll(async () => {
    run = await runDemo(170_000);
    const line = run.stdout.split('\n').find((l) => l.startsWith('DEMO-RESULT '));
    if (!line) throw new Error(`no DEMO-RESULT line:\n${run.stdout}\n${run.stderr}`);
    result = JSON.parse(line.slice('DEMO-RESULT '.length)) as DemoResult;
  }, 180_000);

  it('exits with code 0 after 10/10 steps passed', () => {
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => [s.title, s.ok])).toEqual(TITLES.map((t) => [t, true]));
    expect(run.stdout).toContain('✔ 10/10 steps passed');
  });

  it('prints each step outcome with its figures, as plain text', () => {
    TITLES.forEach((title, i) => {
      expect(run.stdout).toMatch(new RegExp(`^✔ \\[${i + 1}/10\\] ${escape(title)} — \\S`, 'm'));
    });
    expect(run.stdout).not.toContain('\u001b['); // --ci: no ANSI codes
    expect(run.stdout).not.toMatch(/^✘/m);
  });

  it('starts a Consul agent on loopback and the 5 services registered and passing', () => {
    expect(figures(1).address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(figures(2)).toEqual({ keys: 2 }); // origin_timeout and limits seeded
    expect(figures(3)).toEqual({ origins: 3, edges: 2 });
    // Each edge campaigns for the purge job: one liveness-check service per election session.
    expect(figures(4)).toEqual({ consul: 1, 'consulkit-session': 2, edge: 2, origin: 3 });
  });

  it('spreads the requests over the 3 origins, each object pinned to one origin', () => {
    const spread = figures(5) as {
      requests: number;
      errors: number;
      perOrigin: Record<string, number>;
      perEdge: Record<string, number>;
      pinnedObjects: number;
      objects: number;
      cacheHits: number;
    };
    // 300 requests for 60 objects: each object's first request misses, the next four hit (80 %).
    expect(spread).toMatchObject({ requests: 300, objects: 60 });
    expect(Math.round((100 * spread.cacheHits) / spread.requests)).toBe(80);
    expect(spread.errors).toBe(0);
    expect(Object.keys(spread.perOrigin).sort()).toEqual(['origin-1', 'origin-2', 'origin-3']);
    for (const count of Object.values(spread.perOrigin)) expect(count).toBeGreaterThan(0);
    expect(Object.values(spread.perOrigin).reduce((a, b) => a + b)).toBe(spread.requests);
    expect(Object.keys(spread.perEdge).sort()).toEqual(['edge-1', 'edge-2']);
    expect(spread.pinnedObjects).toBe(spread.objects);
  });

  it('applies the KV change in every process without a restart', () => {
    expect(figures(6)).toMatchObject({ processes: 5, restarts: 0, maxAge: 300 });
  });

  it('fails over from the killed origin with 0 errors', () => {
    const f = figures(7) as { errors: number; rerouted: number; requests: number };
    expect(f.errors).toBe(0);
    expect(f.rerouted).toBeGreaterThan(0);
    expect(f.requests).toBeGreaterThan(f.rerouted);
  });

  it('re-admits the restarted origin with its objects', () => {
    const f = figures(8) as { objectsBack: number; errors: number };
    expect(f.errors).toBe(0);
    expect(f.objectsBack).toBeGreaterThan(0);
  });

  it('moves the leader-only purge job to the other edge', () => {
    const f = figures(9) as Record<string, unknown>;
    expect(['edge-1', 'edge-2']).toContain(f.firstLeader);
    expect(f.newLeader).toBe(f.firstLeader === 'edge-1' ? 'edge-2' : 'edge-1');
    expect(f).toMatchObject({ firstPurged: 3, secondPurged: 3, graceful: true, misses: 6 });
  });

  it('shuts down gracefully and leaves the catalog empty', () => {
    expect(figures(10)).toMatchObject({
      stopped: 5,
      graceful: 5,
      originsLeft: 0,
      edgesLeft: 0,
      services: ['consul'],
    });
  });

  it('leaves no process it started running', () => {
    // 5 services, the restarted origin and edge, and the agent.
    expect(result.pids.length).toBeGreaterThanOrEqual(8);
    expect(result.pids.filter(isRunning)).toEqual([]);
  });
});
