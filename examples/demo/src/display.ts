/** The result of one step of the scenario. */
export interface StepOutcome {
  ok: boolean;
  /** One line of figures printed after the title. */
  summary: string;
  /** The figures themselves, for the machine-readable result. */
  figures: Record<string, unknown>;
  /** Lines printed under the outcome (tables). */
  details?: string[];
}

/** A finished step, as the summary lists it. */
export interface StepRecord extends StepOutcome {
  index: number;
  title: string;
  ms: number;
}

/** Reports a step's progress while it runs (shown next to the spinner). */
export type Progress = (detail: string) => void;

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * The demo's output: narrated steps with a spinner and live progress on a terminal, or plain lines
 * (no ANSI codes) with `--ci` or when the output is not a terminal.
 */
export class Display {
  readonly records: StepRecord[] = [];
  private readonly colors: boolean;
  private muted = false;

  constructor(
    private readonly fancy: boolean,
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {
    this.colors = fancy && !process.env.NO_COLOR;
  }

  /** A line of text. */
  line(text = ''): void {
    if (!this.muted) this.out.write(`${text}\n`);
  }

  /** Prints `text`, then nothing more (after an interrupt, half-done steps only make noise). */
  mute(text: string): void {
    this.line(text);
    this.muted = true;
  }

  /** A bold heading. */
  heading(text: string): void {
    this.line(this.paint('1', text));
  }

  /** Explanatory text, dimmed on a terminal. */
  narrate(text: string): void {
    for (const line of wrap(text, 96)) this.line(this.paint('2', `  ${line}`));
  }

  /** An aligned table, indented under the step. */
  table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const format = (cells: readonly string[]) =>
      `    ${cells.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd();
    return [format(headers), format(widths.map((w) => '─'.repeat(w))), ...rows.map(format)];
  }

  /** Runs one step: narration, spinner or start line, then ✔/✘ with its figures. */
  async step(
    title: string,
    narration: string,
    run: (progress: Progress) => Promise<StepOutcome>,
  ): Promise<StepRecord> {
    const index = this.records.length + 1;
    const label = `[${index}/${this.total}] ${title}`;
    this.line();
    this.narrate(narration);
    const started = performance.now();
    let detail = '';
    let frame = 0;
    const render = () => {
      if (this.muted) return;
      // One terminal line at most, or the next \r would leave the wrapped part behind.
      const room = Math.max(0, (this.out.columns || 100) - label.length - 5);
      const text = detail.length > room ? `${detail.slice(0, Math.max(0, room - 1))}…` : detail;
      const spinner = this.paint('36', FRAMES[frame++ % FRAMES.length]);
      this.out.write(`\r\x1b[2K${spinner} ${label}  ${this.paint('2', text)}`);
    };
    let timer: NodeJS.Timeout | undefined;
    if (this.fancy && !this.muted) {
      render();
      timer = setInterval(render, 80);
    } else {
      this.line(`… ${label}`);
    }
    let outcome: StepOutcome;
    try {
      outcome = await run((d) => {
        detail = d;
      });
    } catch (err) {
      outcome = { ok: false, summary: `failed: ${(err as Error).message}`, figures: {} };
    } finally {
      clearInterval(timer);
      if (this.fancy) this.out.write('\r\x1b[2K');
    }
    const ms = Math.round(performance.now() - started);
    const mark = outcome.ok ? this.paint('32', '✔') : this.paint('31', '✘');
    this.line(`${mark} ${label} — ${outcome.summary} (${seconds(ms)})`);
    for (const line of outcome.details ?? []) this.line(line);
    const record = { ...outcome, index, title, ms };
    this.records.push(record);
    return record;
  }

  /** Records a step that did not run because an earlier one failed. */
  skip(title: string): void {
    const index = this.records.length + 1;
    this.line(`- [${index}/${this.total}] ${title} — skipped`);
    this.records.push({ ok: false, summary: 'skipped', figures: {}, index, title, ms: 0 });
  }

  /** The closing summary: one line per step, then the verdict. */
  summary(totalMs: number): boolean {
    const passed = this.records.filter((r) => r.ok).length;
    const ok = passed === this.total;
    this.line();
    this.heading('Summary');
    for (const r of this.records) {
      const mark = r.ok ? this.paint('32', '✔') : this.paint('31', '✘');
      this.line(`  ${mark} ${r.title.padEnd(52)} ${seconds(r.ms).padStart(6)}`);
    }
    this.line();
    const verdict = `${passed}/${this.total} steps passed in ${seconds(totalMs)}`;
    this.line(ok ? this.paint('32', `✔ ${verdict}`) : this.paint('31', `✘ ${verdict}`));
    return ok;
  }

  private paint(code: string, text: string): string {
    return this.colors ? `\x1b[${code}m${text}\x1b[0m` : text;
  }
}

/** `1234` → `1.2 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/)) {
    if (current && current.length + word.length + 1 > width) {
      lines.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(current);
  return lines;
}
