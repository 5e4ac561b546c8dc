import { type Consul } from '@consulkit/core';
import { type ConsulAgent } from '@consulkit/testing';
import { type ClusterView } from './cluster-view';
import { type Display, type Progress, type StepOutcome } from './display';
import { type Fleet } from './fleet';
import { type DemoOptions } from './options';

/** The origins and edges the demo runs (their Consul service IDs). */
export const ORIGINS = ['origin-1', 'origin-2', 'origin-3'] as const;
export const EDGES = ['edge-1', 'edge-2'] as const;

/** The origin killed and restarted in the failover steps. */
export const VICTIM = 'origin-2';

/** The objects the demo's traffic asks for. */
export const OBJECTS: readonly string[] = Array.from({ length: 60 }, (_, i) => {
  const n = i + 1;
  return [`/img/photo-${n}.jpg`, `/css/theme-${n}.css`, `/js/app-${n}.js`][i % 3];
});

/** The limits document seeded in `config/cdn/limits`. */
export const LIMITS = { cacheTtlSeconds: 60, maxObjectsCached: 1000, maxPathLength: 256 };

/** What the steps share. */
export interface DemoContext {
  readonly display: Display;
  readonly options: DemoOptions;
  /** Folder of the services' log files. */
  readonly logDir: string;
  agent?: ConsulAgent;
  /** The agent's PID (the handle forgets it once stopped). */
  agentPid?: number;
  consul?: Consul;
  view?: ClusterView;
  fleet?: Fleet;
  /** Port each service ID listened on (an origin restarts on its old port). */
  readonly ports: Map<string, number>;
  /** Object path → the origin that served it (learned from the traffic). */
  readonly owners: Map<string, string>;
}

/** One step of the scenario. */
export interface Step {
  title: string;
  narration: string;
  /** A failed critical step skips the following ones (there is nothing to show without it). */
  critical?: boolean;
  run(ctx: DemoContext, progress: Progress): Promise<StepOutcome>;
}

/** The context once the agent and the fleet exist (every step after the first ones). */
export type Ready = DemoContext &
  Required<Pick<DemoContext, 'agent' | 'consul' | 'view' | 'fleet'>>;

/** Narrows the context for a step (the setup steps fill it in). */
export function ready(ctx: DemoContext): Ready {
  if (!ctx.agent || !ctx.consul || !ctx.view || !ctx.fleet) {
    throw new Error('the agent and the fleet are not set up');
  }
  return ctx as Ready;
}
