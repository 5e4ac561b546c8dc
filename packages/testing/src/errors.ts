/** Base class of every error the harness throws; `code` is stable across releases. */
export class ConsulHarnessError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A harness option has the wrong type or value; `option` names it. */
export class ConsulHarnessOptionError extends ConsulHarnessError {
  readonly option: string;

  constructor(option: string, expected: string, received: unknown) {
    super(
      'CONSULKIT_HARNESS_OPTION',
      `Invalid option "${option}": expected ${expected}, received ${describe(received)}`,
    );
    this.option = option;
  }
}

/** One source of the Consul binary, and why it could not be used. */
export interface BinarySourceAttempt {
  source: string;
  reason: string;
}

/** No Consul binary could be obtained; `attempts` lists every source tried and why it failed. */
export class ConsulBinaryNotFoundError extends ConsulHarnessError {
  readonly attempts: readonly BinarySourceAttempt[];

  constructor(attempts: readonly BinarySourceAttempt[]) {
    super(
      'CONSULKIT_BINARY_NOT_FOUND',
      'No Consul binary could be obtained. Sources tried:\n' +
        attempts.map((a) => `  - ${a.source}: ${a.reason}`).join('\n'),
    );
    this.attempts = attempts;
  }
}

/** An agent did not start or did not elect a leader in time; the message carries its log tail. */
export class ConsulStartError extends ConsulHarnessError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONSULKIT_AGENT_START', message, options);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
