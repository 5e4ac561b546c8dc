import diagnosticsChannel from 'node:diagnostics_channel';

/** Collects the messages published on a diagnostics channel until `stop()`. */
export function record<T>(channel: string): { messages: T[]; stop(): void } {
  const messages: T[] = [];
  const listener = (message: unknown) => messages.push(message as T);
  diagnosticsChannel.subscribe(channel, listener);
  return { messages, stop: () => diagnosticsChannel.unsubscribe(channel, listener) };
}

/** A name unique to this run, so that scenarios sharing nothing never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
