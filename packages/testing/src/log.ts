/** Where the harness reports what it does (binary chosen, agents started). */
export type HarnessLogger = (message: string) => void;

/** Harness messages go to stderr so they never mix with a program's stdout. */
export const stderrLogger: HarnessLogger = (message) => {
  process.stderr.write(`[consulkit] ${message}\n`);
};

/** Drops every message (for tests that assert on their own logger, or quiet scripts). */
export const silentLogger: HarnessLogger = () => undefined;
