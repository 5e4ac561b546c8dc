import { Writable } from 'node:stream';

/** One JSON log line of pino. */
export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino destination keeping the app's log lines in memory, for the test to read. */
export function logCollector(): { stream: Writable; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  return { stream, lines };
}
