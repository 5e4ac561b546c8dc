export { startConsul, validateStartOptions } from './agent';
export type { AgentTls, AgentTlsOptions, ConsulAgent, StartConsulOptions } from './agent';
export { startCluster, validateClusterOptions } from './cluster';
export type { StartClusterOptions } from './cluster';
export { startFederation, validateFederationOptions } from './federation';
export type { ConsulFederation, StartFederationOptions } from './federation';
export type { ClusterMember, ConsulCluster } from './cluster-handle';
export type { ConsulNode } from './agent-handle';
export type { TlsFiles } from './agent-args';
export type { CommonAgentOptions } from './options';
export { ensureConsulBinary, consulVersion, defaultCacheDir } from './binary';
export type { ConsulBinary, BinarySource, EnsureConsulBinaryOptions } from './binary';
export { OFFICIAL_RELEASE } from './release';
export {
  ConsulHarnessError,
  ConsulHarnessOptionError,
  ConsulBinaryNotFoundError,
  ConsulStartError,
} from './errors';
export type { BinarySourceAttempt } from './errors';
export { freePorts, deadAddress } from './ports';
export { cleanStaleAgents, reapLeakedAgents } from './reaper';
export type { ReaperOptions } from './reaper';
export type { AgentRecord } from './process-registry';
export { silentLogger, stderrLogger } from './log';
export type { HarnessLogger } from './log';
export { waitFor, delay, uniqueName, settlesWithin } from './wait';
export type { WaitForOptions } from './wait';
export {
  UnhandledRejectionsError,
  watchUnhandledRejections,
  withNoUnhandledRejections,
} from './unhandled';
export type { UnhandledRejectionWatch } from './unhandled';
export { useConsulAgent, agentConnection, clientFactory } from './fixture';
export type {
  ConsulAgentFixture,
  ConsulClientFixture,
  AgentClientFactory,
  AgentConnection,
  UseConsulAgentOptions,
} from './fixture';
export {
  passingIds,
  passingInstances,
  catalogIds,
  checkStatus,
  type ServiceInstance,
} from './catalog';
export type {
  AgentEndpoint,
  HealthSource,
  CatalogSource,
  HealthClient,
  CatalogClient,
  ServiceHealthEntry,
  CatalogServiceEntry,
} from './catalog-source';
export { consulCli, type CliTarget } from './consul-cli';
export { startBackend, type Backend, type Received } from './backend';
export { fetchJson, type JsonReply } from './fetch-json';
