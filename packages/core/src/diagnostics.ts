/**
 * `node:diagnostics_channel` names published by `@consulkit/core`, in one place so users can
 * subscribe for metrics or tracing (e.g. OpenTelemetry) without reading the sources:
 *
 * ```ts
 * import diagnostics_channel from 'node:diagnostics_channel';
 * import { DIAGNOSTIC_CHANNELS, type HttpEjectMessage } from '@consulkit/core';
 * diagnostics_channel.subscribe(DIAGNOSTIC_CHANNELS.httpEject, (m) => {
 *   const { service, instance } = m as HttpEjectMessage;
 * });
 * ```
 *
 * Messages are plain objects, published only when a channel has subscribers; they never contain an
 * ACL token. Add new channels to {@link DIAGNOSTIC_CHANNELS} with a `consulkit:<area>:<event>` name
 * and a message interface below it.
 */
import diagnosticsChannel from 'node:diagnostics_channel';

/** Every channel name published by `@consulkit/core`. */
export const DIAGNOSTIC_CHANNELS = {
  /** A call to a service instance failed and is retried on another instance ({@link HttpRetryMessage}). */
  httpRetry: 'consulkit:http:retry',
  /** An instance was ejected after consecutive failures ({@link HttpEjectMessage}). */
  httpEject: 'consulkit:http:eject',
  /** An ejected instance was re-admitted after its ejection time ({@link HttpReadmitMessage}). */
  httpReadmit: 'consulkit:http:readmit',
  /** A call found no healthy instance ({@link HttpNoInstanceMessage}). */
  httpNoInstance: 'consulkit:http:no-instance',
  /** A service instance was registered with the agent ({@link RegistrationMessage}). */
  registrationRegistered: 'consulkit:registration:registered',
  /** The agent had lost the instance; it was registered again ({@link RegistrationMessage}). */
  registrationReregistered: 'consulkit:registration:reregistered',
  /** The instance was deregistered ({@link RegistrationMessage}). */
  registrationDeregistered: 'consulkit:registration:deregistered',
  /** The instance set of a discovered service changed ({@link DiscoveryChangeMessage}). */
  discoveryChange: 'consulkit:discovery:change',
} as const;

/** Identifies the instance an HTTP diagnostic is about. */
export interface DiagnosticInstance {
  /** Instance ID (the balancing and ejection key). */
  id: string;
  /** Address dialled. */
  address: string;
  /** Port dialled. */
  port: number;
}

/** Payload of {@link DIAGNOSTIC_CHANNELS.httpRetry}. */
export interface HttpRetryMessage {
  /** Logical service name. */
  service: string;
  /** HTTP method of the call. */
  method: string;
  /** Path (and query) of the call. */
  path: string;
  /** The instance that failed. */
  instance: DiagnosticInstance;
  /** 1 for the first retry. */
  attempt: number;
  /** HTTP status (502/503/504) or the error code (`ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`...). */
  reason: string;
}

/** Payload of {@link DIAGNOSTIC_CHANNELS.httpEject}. */
export interface HttpEjectMessage {
  /** Logical service name. */
  service: string;
  /** The instance ejected. */
  instance: DiagnosticInstance;
  /** Failures in a row that triggered the ejection. */
  consecutiveFailures: number;
  /** How long the instance stays out. */
  ejectionMs: number;
  /** How many times this instance was ejected in a row (drives the growing ejection time). */
  ejections: number;
}

/** Payload of {@link DIAGNOSTIC_CHANNELS.httpReadmit}. */
export interface HttpReadmitMessage {
  /** Logical service name. */
  service: string;
  /** The instance re-admitted (on probation: one more failure ejects it again). */
  instance: DiagnosticInstance;
  /** How long it was out. */
  ejectedMs: number;
}

/** Payload of {@link DIAGNOSTIC_CHANNELS.httpNoInstance}. */
export interface HttpNoInstanceMessage {
  /** Logical service name. */
  service: string;
  /** HTTP method of the call. */
  method: string;
  /** Path (and query) of the call. */
  path: string;
}

/** Payload of the `registration*` channels of {@link DIAGNOSTIC_CHANNELS}. */
export interface RegistrationMessage {
  /** Instance ID. */
  id: string;
  /** Service name. */
  name: string;
  /** Registered address. */
  address: string;
  /** Registered port. */
  port: number;
  /** Why it was registered again (`reregistered` only): `service-missing` or `check-lost`. */
  reason?: string;
}

/** Payload of {@link DIAGNOSTIC_CHANNELS.discoveryChange}. */
export interface DiscoveryChangeMessage {
  /** Service name. */
  service: string;
  /** The query's key (name, tag, dc, filter...), distinguishing caches of the same service. */
  query: string;
  /** Instance count after the change. */
  instances: number;
  /** IDs that appeared (an existing instance whose address, tags... changed is in neither list). */
  added: string[];
  /** IDs that disappeared. */
  removed: string[];
}

/** Publishes `message` on `name` when someone listens (building the message is the caller's cost). */
export function publish(name: string, message: object): void {
  const channel = diagnosticsChannel.channel(name);
  if (channel.hasSubscribers) channel.publish(message);
}

/** Whether anyone listens on `name`; check before building an expensive message. */
export function hasSubscribers(name: string): boolean {
  return diagnosticsChannel.channel(name).hasSubscribers;
}
