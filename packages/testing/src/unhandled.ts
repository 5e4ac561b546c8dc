import { setImmediate as immediate, setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import vm from 'node:vm';
import { ConsulHarnessError } from './errors';

/** Lines of each reason's rendering kept in the message: enough for the origin's stack frames. */
const REASON_LINES = 12;

/**
 * Unhandled promise rejections were seen while a {@link watchUnhandledRejections} watch (or
 * {@link withNoUnhandledRejections}) was listening; `reasons` lists them in order and the message
 * renders each one (an `Error` with its stack).
 */
export class UnhandledRejectionsError extends ConsulHarnessError {
  readonly reasons: readonly unknown[];

  constructor(reasons: readonly unknown[]) {
    super(
      'CONSULKIT_UNHANDLED_REJECTION',
      `${reasons.length} unhandled promise rejection${reasons.length === 1 ? '' : 's'} while watching:\n` +
        reasons.map((reason, i) => `  ${i + 1}) ${render(reason)}`).join('\n'),
    );
    this.reasons = reasons;
  }
}

/** A running observation of the unhandled promise rejections of the process. */
export interface UnhandledRejectionWatch {
  /** The reasons seen so far, in order. */
  readonly reasons: readonly unknown[];
  /** `false` once {@link UnhandledRejectionWatch.stop} or `expectNone()` ended the watch. */
  readonly watching: boolean;
  /**
   * The assertion: gives rejections still in flight a full event-loop turn to surface, ends the
   * watch, and rejects with an {@link UnhandledRejectionsError} listing every reason seen (it
   * resolves when there was none). Await it after the work under test has settled.
   */
  expectNone(): Promise<void>;
  /** Stops listening without asserting (for `afterAll` when a test failed early). Idempotent. */
  stop(): void;
}

/**
 * Starts recording every `unhandledRejection` the process emits, until `expectNone()` or `stop()`.
 * It listens on the worker's real `process`: inside a jest test the global `process` is a sandbox
 * copy that Node never emits on, so `process.on('unhandledRejection', …)` there sees nothing.
 *
 * A rejection counts even if a handler is attached later (`rejectionHandled`): Node's default
 * `--unhandled-rejections=throw` has already crashed a production process by then. Prefer
 * {@link withNoUnhandledRejections}, which cannot be left unchecked; use a watch when the
 * observation spans hooks or several steps of one test.
 *
 * @example
 * const unhandled = watchUnhandledRejections();
 * await watch.stop();
 * await unhandled.expectNone(); // fails listing the reasons, e.g. "1) Error: socket hang up …"
 */
export function watchUnhandledRejections(): UnhandledRejectionWatch {
  const real = realProcess();
  const reasons: unknown[] = [];
  const listener = (reason: unknown): void => {
    reasons.push(reason);
  };
  real.on('unhandledRejection', listener);
  let watching = true;
  const stop = (): void => {
    if (!watching) return;
    watching = false;
    real.off('unhandledRejection', listener);
  };
  return {
    reasons,
    get watching() {
      return watching;
    },
    stop,
    async expectNone() {
      await settle();
      stop();
      if (reasons.length > 0) throw new UnhandledRejectionsError([...reasons]);
    },
  };
}

/**
 * Runs `work` and fails if it left an unhandled promise rejection: after `work` settles, a full
 * event-loop turn lets late rejections surface, then any reason seen is reported in an
 * {@link UnhandledRejectionsError}. Resolves with `work`'s value; if `work` itself throws, that
 * error wins (the watch is still ended).
 *
 * @example
 * await withNoUnhandledRejections(async () => {
 *   const watch = consul.watchKey('config/app'); // nobody listens for `error`
 *   await agent.kill();
 *   await watch.stop();
 * });
 */
export async function withNoUnhandledRejections<T>(work: () => Promise<T> | T): Promise<T> {
  const unhandled = watchUnhandledRejections();
  let value: T;
  try {
    value = await work();
  } catch (error) {
    unhandled.stop();
    throw error;
  }
  await unhandled.expectNone();
  return value;
}

/**
 * The process Node emits `unhandledRejection` on. jest gives each test file a copy of `process`
 * in its sandbox context; code evaluated in the main context sees the worker's real one. Outside
 * jest both are the same object.
 */
function realProcess(): NodeJS.Process {
  return vm.runInThisContext('process') as NodeJS.Process;
}

/**
 * One full event-loop turn (timers, then check phase). Node emits `unhandledRejection` once the
 * microtasks of the current macrotask have drained, so a rejection left unhandled before this call
 * has surfaced when it resolves. `node:timers/promises` keeps working under jest's fake timers,
 * which replace only the global functions.
 */
async function settle(): Promise<void> {
  await sleep(0);
  await immediate();
}

function render(reason: unknown): string {
  const text = inspect(reason, { depth: 3, breakLength: 100 });
  const lines = text.split('\n');
  const kept = lines.slice(0, REASON_LINES);
  if (lines.length > REASON_LINES) kept.push(`… ${lines.length - REASON_LINES} more lines`);
  return kept.join('\n     ');
}
