import { ConsulOptionError, type ConsulHttpOptions } from '@consulkit/core';
import {
  EXPECTED_FEATURE_OPTIONS,
  EXPECTED_OBJECT,
  EXPECTED_SERVICE_NAME,
  EXPECTED_SERVICES,
  expectedKnownOption,
} from '../consul.messages';

/** One service of `ConsulModule.forFeature({ services })`, with the options of its client. */
export interface ConsulFeatureService {
  /** The service name, as registered in Consul. */
  name: string;
  /**
   * Options of the app's client of the service (`consul.http()`'s: `balancer`, `retries`,
   * `timeout`, `tag`, `passingOnly`...). Every declaration of one service in an app must agree.
   */
  options?: ConsulHttpOptions;
}

/** Options of `ConsulModule.forFeature()`. */
export interface ConsulFeatureOptions {
  /**
   * The services whose clients the feature module provides (and exports), each under
   * `getServiceClientToken(name)`: a name (core's default options) or `{ name, options }`.
   */
  services: ReadonlyArray<string | ConsulFeatureService>;
}

/** A validated `forFeature` service: `label` names it in errors (`ConsulModule.forFeature.services[0]`). */
export interface FeatureService {
  readonly service: string;
  readonly options: ConsulHttpOptions | undefined;
  readonly label: string;
}

const LABEL = 'ConsulModule.forFeature';
const ENTRY_KEYS = ['name', 'options'];

/** Validates `forFeature`'s argument; a bad entry throws a `ConsulOptionError` naming it. */
export function resolveFeatureOptions(input: unknown): FeatureService[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConsulOptionError(LABEL, EXPECTED_FEATURE_OPTIONS, input);
  }
  for (const key of Object.keys(input)) {
    if (key !== 'services') {
      throw new ConsulOptionError(`${LABEL}.${key}`, expectedKnownOption(['services']), key);
    }
  }
  const services = (input as { services?: unknown }).services;
  if (!Array.isArray(services)) {
    throw new ConsulOptionError(`${LABEL}.services`, EXPECTED_SERVICES, services);
  }
  return services.map((entry: unknown, i) => resolveEntry(entry, `${LABEL}.services[${i}]`));
}

function resolveEntry(entry: unknown, label: string): FeatureService {
  if (typeof entry === 'string')
    return { service: checkName(entry, label), options: undefined, label };
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ConsulOptionError(label, EXPECTED_SERVICES, entry);
  }
  for (const key of Object.keys(entry)) {
    if (!ENTRY_KEYS.includes(key)) {
      throw new ConsulOptionError(`${label}.${key}`, expectedKnownOption(ENTRY_KEYS), key);
    }
  }
  const { name, options } = entry as { name?: unknown; options?: unknown };
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new ConsulOptionError(`${label}.options`, EXPECTED_OBJECT, options);
  }
  return {
    service: checkName(name, `${label}.name`),
    options: options as ConsulHttpOptions | undefined,
    label,
  };
}

function checkName(name: unknown, option: string): string {
  if (typeof name !== 'string' || name === '') {
    throw new ConsulOptionError(option, EXPECTED_SERVICE_NAME, name);
  }
  return name;
}
