export { startConsul, validateStartOptions } from './agent';
export type { ConsulAgent, StartConsulOptions } from './agent';
export { ensureConsulBinary, consulVersion, defaultCacheDir } from './binary';
export type { ConsulBinary, BinarySource, EnsureConsulBinaryOptions } from './binary';
export {
  ConsulHarnessError,
  ConsulHarnessOptionError,
  ConsulBinaryNotFoundError,
  ConsulStartError,
} from './errors';
export type { BinarySourceAttempt } from './errors';
export { freePorts } from './ports';
export { cleanStaleAgents } from './process-registry';
export type { HarnessLogger } from './log';
