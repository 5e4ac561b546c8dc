import { useAgent, waitUntil } from './helpers';

describe('an agent that crashes', () => {
  const messages: string[] = [];
  const agent = useAgent({ logger: (m) => messages.push(m) });

  it('has its exit and last output reported through the logger', async () => {
    const pid = agent().pid as number;
    process.kill(pid, 'SIGKILL'); // not through the harness: a crash
    await waitUntil(
      () => messages.some((m) => m.includes('exited unexpectedly')),
      'a crash report',
    );
    const report = messages.find((m) => m.includes('exited unexpectedly')) as string;
    expect(report).toContain(`pid ${pid}`);
    expect(report).toContain('signal SIGKILL');
    expect(report).toContain('Consul agent running!');
    expect(agent().running).toBe(false);
  });

  it('does not report an exit the test asked for', async () => {
    await agent().restart();
    const before = messages.length;
    await agent().kill();
    await agent().restart();
    expect(messages.slice(before).some((m) => m.includes('exited unexpectedly'))).toBe(false);
    expect(agent().running).toBe(true);
  });
});
