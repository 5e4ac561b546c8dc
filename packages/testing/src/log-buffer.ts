/** Keeps the last lines an agent printed, to show them when it fails. */
export class LogBuffer {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly maxLines = 300) {}

  /** Adds output; lines are split on `\n`, the oldest dropped beyond `maxLines`. */
  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > this.maxLines) this.lines.shift();
    }
  }

  /** The kept lines, including an unfinished last one. */
  text(): string {
    return [...this.lines, this.partial].filter((l) => l.length > 0).join('\n');
  }
}
