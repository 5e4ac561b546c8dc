import { probe } from './http-probe';

/** What the leader poll needs of an agent. */
export interface LeaderVoter {
  readonly httpAddress: string;
  readonly running: boolean;
}

/** The leader one agent names (`127.0.0.1:<server port>`), or '' when it knows none or is down. */
async function leaderSeenBy(agent: LeaderVoter): Promise<string> {
  try {
    const res = await probe(`${agent.httpAddress}/v1/status/leader`, { timeoutMs: 1_000 });
    const leader = res.status === 200 ? (JSON.parse(res.body) as unknown) : '';
    return typeof leader === 'string' ? leader : '';
  } catch {
    return '';
  }
}

/**
 * Polls every running agent until all name the same leader, which must not be `exclude` (a
 * server just killed), and returns it. Throws at `deadline` (epoch ms) or when `isDead()` says a
 * process that should run has exited.
 */
export async function waitForAgreedLeader(
  agents: readonly LeaderVoter[],
  deadline: number,
  options: { exclude?: string; isDead?: () => boolean } = {},
): Promise<string> {
  let seen: string[] = [];
  while (Date.now() < deadline) {
    if (options.isDead?.()) throw new Error('an agent process exited');
    const running = agents.filter((a) => a.running);
    if (running.length === 0) throw new Error('no agent is running');
    seen = await Promise.all(running.map(leaderSeenBy));
    const [first] = seen;
    if (first && first !== options.exclude && seen.every((l) => l === first)) return first;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the agents did not agree on a leader in time (last seen: ${seen.join(', ')})`);
}
