import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanStaleAgents, reapLeakedAgents } from '../src';
import { isAlive } from '../src/proc-info';
import { listRecords } from '../src/process-registry';
import { belongsToRun } from '../src/reaper';
import { exitOf, spawnAgentOwner, waitUntilGone, type OwnedAgent } from './helpers';

// Every process here records its agents in a private state folder, so these tests never see (or
// clean) the agents of the other test files running at the same time.
describe('agents outliving their owner', () => {
  let stateDir: string;
  const children: ChildProcess[] = [];
  const agentPids: number[] = [];

  beforeEach(() => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'consulkit-state-test-'));
  });

  afterEach(() => {
    rmSync(stateDir, { recursive: true, force: true });
  });

  afterAll(async () => {
    // Whatever a failed test left: only the PIDs these tests started.
    for (const pid of agentPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map(exitOf));
  });

  async function ownAgent(): Promise<OwnedAgent> {
    const owned = await spawnAgentOwner(stateDir);
    children.push(owned.child);
    agentPids.push(owned.agentPid);
    return owned;
  }

  it('cleanStaleAgents() kills the agent of an owner that was SIGKILLed, by its recorded PID', async () => {
    const owned = await ownAgent();
    expect(listRecords(stateDir).map((r) => r.pid)).toEqual([owned.agentPid]);
    owned.child.kill('SIGKILL');
    await exitOf(owned.child);
    expect(isAlive(owned.agentPid)).toBe(true); // orphaned, still serving

    expect(cleanStaleAgents({ stateDir })).toEqual([owned.agentPid]);
    await waitUntilGone(owned.agentPid);
    expect(listRecords(stateDir)).toEqual([]);
    expect(existsSync(owned.dataDir)).toBe(false);
  });

  it('cleanStaleAgents() leaves the agent of a live owner alone', async () => {
    const owned = await ownAgent();
    expect(cleanStaleAgents({ stateDir })).toEqual([]);
    expect(isAlive(owned.agentPid)).toBe(true);
    owned.child.kill('SIGTERM'); // the owner stops its agent cleanly
    expect(await exitOf(owned.child)).toBe(0);
    await waitUntilGone(owned.agentPid);
    expect(listRecords(stateDir)).toEqual([]);
  });

  it('the teardown reaps its own run’s leaked agent, never an unrelated live owner’s', async () => {
    const owned = await ownAgent();
    // A live process that is not an ancestor of the owner stands for another jest run.
    const unrelated = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)']);
    children.push(unrelated);
    expect(reapLeakedAgents(unrelated.pid as number, { stateDir })).toEqual([]);
    expect(isAlive(owned.agentPid)).toBe(true);
    expect(listRecords(stateDir)).toHaveLength(1);

    // This process is the owner's parent, so the agent belongs to its run.
    const leaked = reapLeakedAgents(process.pid, { stateDir });
    expect(leaked.map((r) => r.pid)).toEqual([owned.agentPid]);
    await waitUntilGone(owned.agentPid);
    expect(listRecords(stateDir)).toEqual([]);
  });

  it('counts an agent of a dead worker as the run’s through the recorded run PID', async () => {
    const worker = spawn(process.execPath, ['-e', '']);
    children.push(worker);
    await exitOf(worker);
    const record = {
      pid: 0,
      ownerPid: worker.pid as number,
      runPid: 4_000_000,
      binary: 'consul',
      dataDir: stateDir,
      startedAt: new Date().toISOString(),
    };
    expect(belongsToRun(record, 4_000_000)).toBe(true);
    expect(belongsToRun(record, process.pid)).toBe(false);
  });
});
