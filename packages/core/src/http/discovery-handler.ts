import { performance } from 'node:perf_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ServiceInstance } from '../discovery/instance';
import { classifyError } from './failures';

/** The logical origin a request was addressed to (`http://user-service`). */
export interface LogicalOrigin {
  protocol: string;
  hostname: string;
  /** Host with port when one was given: the value kept in the `Host` header. */
  host: string;
}

/** What the handler needs from the interceptor's per-service route. */
export interface RouteTarget {
  /** Records the outcome of a call (balancer hooks and outlier detection). */
  record(instance: ServiceInstance, latencyMs: number, statusCode?: number, error?: unknown): void;
  /** Another instance than `failed`, or `undefined`. */
  alternative(failed: ServiceInstance): ServiceInstance | undefined;
  /** `original` re-aimed at `instance`. */
  optionsFor(
    original: Dispatcher.DispatchOptions,
    logical: LogicalOrigin,
    instance: ServiceInstance,
  ): Dispatcher.DispatchOptions;
  /** Notes a re-dispatch (logs, diagnostics). */
  redispatched(original: Dispatcher.DispatchOptions, failed: ServiceInstance, reason: string): void;
}

/**
 * Wraps the caller's handler (v2 handler API) for one discovery-routed request: forwards every
 * callback, records latency/status per instance, and on a connection failure before any response
 * (nothing was sent) re-dispatches once to another instance — the shape of undici's dns
 * interceptor fallback.
 */
export class DiscoveryHandler implements Dispatcher.DispatchHandler {
  private started = performance.now();
  private responded = false;
  private retried = false;

  constructor(
    private readonly handler: Dispatcher.DispatchHandler,
    private readonly dispatch: Dispatcher.Dispatch,
    private readonly target: RouteTarget,
    private readonly original: Dispatcher.DispatchOptions,
    private readonly logical: LogicalOrigin,
    private instance: ServiceInstance,
    private readonly allowRedispatch: boolean,
  ) {}

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
      this.target.record(this.instance, performance.now() - this.started, statusCode);
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
      this.target.record(this.instance, performance.now() - this.started, undefined, error);
      const kind = classifyError(error);
      if (kind.notSent && this.allowRedispatch && !this.retried && !controller?.aborted) {
        const next = this.target.alternative(this.instance);
        if (next !== undefined) {
          this.retried = true;
          this.target.redispatched(this.original, this.instance, kind.reason);
          this.instance = next;
          this.started = performance.now();
          this.dispatch(this.target.optionsFor(this.original, this.logical, next), this);
          return;
        }
      }
    }
    this.handler.onResponseError?.(controller, error);
  }
}
