import { clientFactory, type StartConsulOptions, useConsulAgent } from '@consulkit/testing';
import { Consul } from '../../src';

/** A real agent for the test file (or `describe`), with `Consul` clients on it closed after it. */
export const useAgent = (options: StartConsulOptions = {}) =>
  useConsulAgent(options, clientFactory(Consul));
