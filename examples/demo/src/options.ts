/** Command-line options of the demo. */
export interface DemoOptions {
  /** `--ci`: plain output (no spinner, no colours), a machine-readable result line at the end. */
  ci: boolean;
  /** `--keep`: leave everything running after the scenario; Ctrl-C then stops it all cleanly. */
  keep: boolean;
  /** `--help`. */
  help: boolean;
}

export const USAGE = `Usage: npm run demo [-- --keep] [-- --ci]

  --keep   leave Consul, the origins and the edges running after the scenario (Ctrl-C stops them)
  --ci     non-interactive output: no spinner, no colours, a DEMO-RESULT JSON line at the end
  --help   this text`;

/** Parses the arguments; an unknown one is an error (a typo should not silently run the default). */
export function parseOptions(argv: readonly string[]): DemoOptions {
  const options: DemoOptions = { ci: false, keep: false, help: false };
  for (const arg of argv) {
    if (arg === '--ci') options.ci = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--help' || arg === '-h') options.help = true;
    else throw new Error(`unknown option "${arg}"\n\n${USAGE}`);
  }
  return options;
}
