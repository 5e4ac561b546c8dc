import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { dialOrigin, wantsTls, type ServiceInstance } from '../models/service-instance';
import { withHostHeader } from './headers';
import type { RoutedCall, ServiceRouter } from './router';

/** The logical origin a request was addressed to (`http://user-service`). */
export interface LogicalOrigin {
  protocol: string;
  hostname: string;
  /** Host with port when one was given: the value kept in the `Host` header. */
  host: string;
}

/**
 * Wraps the caller's handler (v2 handler API) for one discovery-routed request: the interceptor's
 * transport for the {@link ServiceRouter}. Forwards every callback, tells the router how each
 * attempt ended, and when the router answers a failure with another instance (a connection failure
 * before any response, nothing sent) re-dispatches there — the shape of undici's dns interceptor
 * fallback.
 */
export class DiscoveryHandler implements Dispatcher.DispatchHandler {
  private responded = false;

  constructor(
    private readonly handler: Dispatcher.DispatchHandler,
    private readonly dispatch: Dispatcher.Dispatch,
    private readonly router: ServiceRouter,
    private readonly call: RoutedCall<Dispatcher.DispatchOptions>,
    private readonly logical: LogicalOrigin,
    private readonly preserveHost: boolean,
  ) {}

  /** Dispatches the call's next attempt to `instance`. */
  send(instance: ServiceInstance): boolean {
    this.router.start(this.call, instance);
    return this.dispatch(aimAt(this.call.options, this.logical, instance, this.preserveHost), this);
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    socket: Duplex,
  ): void {
    this.responded = true;
    this.handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    // 1xx are informational; the real response follows.
    if (statusCode >= 200 && !this.responded) {
      this.responded = true;
      // The interceptor's policy retries no status: the response always goes to the caller.
      this.router.answered(this.call, statusCode);
    }
    this.handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    if (!this.responded) {
      const next = this.router.failed(this.call, error, controller?.aborted === true);
      if (next !== undefined) {
        this.router.retry(this.call);
        this.send(next);
        return;
      }
    }
    this.handler.onResponseError?.(controller, error);
  }
}

/**
 * `original` re-aimed at `instance`. With `preserveHost`, the logical host stays in the `Host`
 * header and, over TLS, is the name the instance's certificate is verified against.
 */
function aimAt(
  original: Dispatcher.DispatchOptions,
  logical: LogicalOrigin,
  instance: ServiceInstance,
  preserveHost: boolean,
): Dispatcher.DispatchOptions {
  const secure = logical.protocol === 'https:' || wantsTls(instance);
  const origin = dialOrigin(instance, secure);
  if (!preserveHost) return { ...original, origin };
  const options: Dispatcher.DispatchOptions & { servername?: string } = {
    ...original,
    origin,
    headers: withHostHeader(original.headers, logical.host),
  };
  // TLS: verify the instance against the logical name, as a client of the name would.
  if (secure) options.servername = logical.hostname;
  return options;
}
