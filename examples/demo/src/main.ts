import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type DemoContext } from './context';
import { Display } from './display';
import { parseOptions, type DemoOptions, USAGE } from './options';
import { STEPS } from './scenario';

/**
 * `npm run demo`: a CDN whose Nest edges find their Fastify origins through a local Consul dev
 * agent, played as a narrated scenario. Exit code 0 when every step passed. Every process it starts
 * is stopped (by PID) before it exits, also on Ctrl-C or a failure.
 */
async function main(options: DemoOptions): Promise<number> {
  const started = performance.now();
  const display = new Display(!options.ci && process.stdout.isTTY === true, STEPS.length);
  const ctx: DemoContext = {
    display,
    options,
    logDir: mkdtempSync(path.join(os.tmpdir(), 'consulkit-demo-')),
    ports: new Map(),
    owners: new Map(),
  };

  let stopping: Promise<void> | undefined;
  const stopEverything = () =>
    (stopping ??= (async () => {
      await ctx.fleet?.stopAll().catch(() => undefined);
      await ctx.consul?.close().catch(() => undefined);
      await ctx.agent?.stop().catch(() => undefined);
    })());

  // Ctrl-C while the scenario plays: stop everything gracefully; a second one: kill by PID.
  let keepWaiting: (() => void) | undefined;
  let interrupted = false;
  let lastSignalAt = -Infinity;
  const onSignal = (signal: NodeJS.Signals) => {
    // One Ctrl-C may arrive twice: from the terminal and forwarded by `npm run`.
    const now = performance.now();
    if (now - lastSignalAt < 1_000) return;
    lastSignalAt = now;
    if (keepWaiting) {
      keepWaiting();
      keepWaiting = undefined;
      return;
    }
    if (interrupted) {
      for (const m of ctx.fleet?.running() ?? []) process.kill(m.pid, 'SIGKILL');
      if (ctx.agent?.pid) process.kill(ctx.agent.pid, 'SIGKILL');
      process.exit(130);
    }
    interrupted = true;
    display.mute(`\n${signal}: stopping everything (again to kill at once)…`);
    void stopEverything().then(() => {
      rmSync(ctx.logDir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  display.heading('consulkit demo — a CDN whose edges find their origins through Consul');
  display.narrate(
    '3 origins (Fastify, examples/fastify-service) and 2 edges (NestJS, examples/nest-service) ' +
      'against a real local Consul dev agent. Each step prints ✔ or ✘ with what it measured.',
  );

  const last = STEPS[STEPS.length - 1];
  let failedCritical = false;
  let waitedMs = 0;
  try {
    for (const step of STEPS) {
      if (step === last && options.keep && !failedCritical) {
        const waitStarted = performance.now();
        await waitForCtrlC();
        waitedMs = performance.now() - waitStarted;
      }
      if (failedCritical && step !== last) {
        display.skip(step.title);
        continue;
      }
      if (step === last && !ctx.fleet) {
        display.skip(step.title);
        continue;
      }
      const record = await display.step(step.title, step.narration, (p) => step.run(ctx, p));
      if (!record.ok && step.critical) failedCritical = true;
    }
  } finally {
    await stopEverything();
  }

  const totalMs = Math.round(performance.now() - started - waitedMs);
  const ok = display.summary(totalMs);
  if (ok) rmSync(ctx.logDir, { recursive: true, force: true });
  else display.line(`Logs of the services: ${ctx.logDir}`);
  if (options.ci) {
    const result = {
      ok,
      totalMs,
      steps: display.records.map(({ index, title, ok: passed, ms, figures }) => ({
        index,
        title,
        ok: passed,
        ms,
        figures,
      })),
      pids: [...(ctx.fleet?.pids ?? []), ...(ctx.agentPid ? [ctx.agentPid] : [])],
    };
    display.line(`DEMO-RESULT ${JSON.stringify(result)}`);
  }
  return ok ? 0 : 1;

  /** With --keep: show where everything is, then wait for Ctrl-C. */
  async function waitForCtrlC(): Promise<void> {
    const { agent, view, fleet } = ctx;
    if (!agent || !view || !fleet) return;
    const edges = await view.instances('edge', true);
    const origins = await view.instances('origin', true);
    display.line();
    display.heading('Everything is still running (--keep)');
    display.line(`  Consul UI    ${agent.address}/ui/`);
    display.line(`  Consul API   export CONSUL_HTTP_ADDR=${agent.address}`);
    display.line(`  edges        ${edges.map((e) => e.url).join('  ')}`);
    display.line(`  origins      ${origins.map((o) => o.url).join('  ')}`);
    display.line(`  logs         ${ctx.logDir}`);
    if (edges[0]) {
      display.line(`  try          curl ${edges[0].url}/cdn/img/photo-1.jpg`);
      display.line(`               curl ${edges[0].url}/status`);
    }
    display.line(
      `               curl -X PUT --data 2s ${agent.address}/v1/kv/config/cdn/origin_timeout`,
    );
    display.line('Press Ctrl-C to stop everything (graceful shutdown, then the agent).');
    await new Promise<void>((resolve) => {
      keepWaiting = resolve;
    });
  }
}

let options: DemoOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
} else {
  main(options).then(
    // Exit explicitly: idle keep-alive sockets must not hold the demo open.
    (code) => process.exit(code),
    (err: unknown) => {
      console.error('demo failed:', err);
      process.exit(1);
    },
  );
}
