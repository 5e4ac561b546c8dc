import { buildAgentArgs, type AgentArgsInput } from '../src/agent-args';

const ports = { http: 1, https: 2, dns: 3, server: 4, serfLan: 5, serfWan: 6 };
const base: AgentArgsInput = {
  role: { kind: 'dev' },
  datacenter: 'dc1',
  nodeName: 'n1',
  ports,
  version: '1.8.7',
};

/** The value passed after each `-hcl`. */
const hcl = (args: string[]) => args.filter((_, i) => args[i - 1] === '-hcl');

describe('buildAgentArgs (pure: the versions this machine cannot run)', () => {
  it('names the ACL bootstrap token as the binary version expects', () => {
    const old = hcl(buildAgentArgs({ ...base, aclToken: 't' })).join('\n');
    const current = hcl(buildAgentArgs({ ...base, version: '1.22.3', aclToken: 't' })).join('\n');
    expect(old).toContain('master = "t"');
    expect(current).toContain('initial_management = "t"');
    expect(current).not.toContain('master');
  });

  it('makes a cluster server with its own data folder, peers and fast Raft, loopback only', () => {
    const args = buildAgentArgs({
      ...base,
      role: {
        kind: 'server',
        stateDir: '/tmp/s1',
        bootstrapExpect: 3,
        retryJoin: ['127.0.0.1:15', '127.0.0.1:25'],
      },
    });
    expect(args).toEqual(
      expect.arrayContaining([
        '-server',
        '-bootstrap-expect=3',
        '-data-dir=/tmp/s1',
        '-retry-join=127.0.0.1:15',
        '-retry-join=127.0.0.1:25',
        '-retry-interval=1s',
        '-bind=127.0.0.1',
        '-client=127.0.0.1',
        '-serf-lan-port=5',
      ]),
    );
    expect(args).not.toContain('-dev');
    expect(hcl(args)).toContain('performance { raft_multiplier = 1 }');
  });
});
