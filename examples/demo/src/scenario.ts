import { type Step } from './context';
import { leaderHandover, shutdown } from './steps-lifecycle';
import { seedConfig, showCatalog, startAgent, startFleet } from './steps-setup';
import { failover, liveConfig, readmit, spreadTraffic } from './steps-traffic';

/** The scenario, in order. The last step (shutdown) waits for Ctrl-C with `--keep`. */
export const STEPS: readonly Step[] = [
  startAgent,
  seedConfig,
  startFleet,
  showCatalog,
  spreadTraffic,
  liveConfig,
  failover,
  readmit,
  leaderHandover,
  shutdown,
];
