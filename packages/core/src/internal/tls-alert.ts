import { connect, type ConnectionOptions } from 'node:tls';

/** A socket error with its OpenSSL code, as `node:tls` reports it. */
export type TlsSocketError = Error & { code?: string };

/**
 * Opens a fresh TLS connection with `options`, sends a request and resolves with the error the
 * connection ends with, or `undefined` when the agent answers (or closes quietly, or `timeoutMs`
 * passes). Why: with TLS 1.3 the client's handshake completes before the server checks the client
 * certificate, so an agent that refuses it sends its alert after undici wrote the request, and
 * undici reports only `other side closed`. Reading the answer here surfaces the alert with its code.
 */
export function readTlsAlert(
  options: ConnectionOptions,
  timeoutMs: number,
): Promise<TlsSocketError | undefined> {
  return new Promise((resolve) => {
    const socket = connect(options);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    function finish(result: TlsSocketError | undefined): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    }
    socket.once('secureConnect', () => {
      socket.write('HEAD /v1/status/leader HTTP/1.1\r\nHost: consul\r\nConnection: close\r\n\r\n');
    });
    socket.once('data', () => finish(undefined));
    socket.once('error', (err: TlsSocketError) => finish(err));
    socket.once('close', () => finish(undefined));
  });
}
