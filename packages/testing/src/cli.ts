#!/usr/bin/env node
import { startConsul } from './agent';
import { ensureConsulBinary } from './binary';
import { ConsulHarnessError } from './errors';

const USAGE = `usage: consulkit-consul <command>

commands:
  install   obtain a consul binary (CONSUL_BIN, PATH, cache, official release, Debian package)
  path      print the path of a working consul binary (installing it if needed)
  version   print the version of that binary
  dev       run a dev agent on 127.0.0.1 in the foreground until Ctrl-C
            (--port=N for a fixed HTTP port, --acl, --tls)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'install': {
      const binary = await ensureConsulBinary();
      console.log(`consul ${binary.version} (${binary.source}): ${binary.path}`);
      return 0;
    }
    case 'path':
      console.log((await ensureConsulBinary()).path);
      return 0;
    case 'version':
      console.log((await ensureConsulBinary()).version);
      return 0;
    case 'dev':
      return runDevAgent(rest);
    case undefined:
    case '-h':
    case '--help':
      console.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      console.error(`unknown command "${command}"\n${USAGE}`);
      return 1;
  }
}

async function runDevAgent(flags: string[]): Promise<number> {
  // Listen for Ctrl-C before starting, so an early one still stops the agent instead of orphaning it.
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const port = flags.find((f) => f.startsWith('--port='))?.slice('--port='.length);
  const agent = await startConsul({
    acl: flags.includes('--acl'),
    tls: flags.includes('--tls'),
    ...(port !== undefined && { httpPort: Number(port) }),
  });
  console.log(`Consul ${agent.version} dev agent running (pid ${agent.pid})`);
  console.log(`  CONSUL_HTTP_ADDR=${agent.address}`);
  console.log(`  UI: ${agent.httpAddress}/ui/`);
  if (agent.token) console.log(`  CONSUL_HTTP_TOKEN=${agent.token}`);
  if (agent.tlsFiles) console.log(`  CONSUL_CACERT=${agent.tlsFiles.ca}`);
  console.log('Press Ctrl-C to stop.');
  const signal = await stopRequested;
  console.log(`${signal}: stopping the agent`);
  await agent.stop();
  console.log('stopped');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof ConsulHarnessError ? err.message : err);
    process.exitCode = 1;
  },
);
