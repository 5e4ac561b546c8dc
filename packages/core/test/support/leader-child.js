'use strict';
/**
 * A separate process taking part in a leader election, for the handover tests. It loads the core
 * sources through a TypeScript transpile hook (no build needed), prints one JSON line per event on
 * stdout, and on SIGTERM stops campaigning (releasing leadership) and exits.
 *
 * argv: <address> <key> <ttl> <lockDelay> [heartbeatCheckId]
 * With a check ID, the child registers a node TTL check (2 s) that it keeps passing, and binds its
 * sessions to it: when the process dies the check turns critical and Consul releases the lock.
 */
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
    fileName: filename,
  });
  module._compile(outputText, filename);
};

const { Consul } = require('../../src/consul.ts');
const { silentLogger } = require('../../src/logger.ts');

const [address, key, ttl, lockDelay, checkId] = process.argv.slice(2);
const consul = new Consul({ address, logger: silentLogger });
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

async function main() {
  if (checkId) {
    await consul.agent.check.register({ id: checkId, name: checkId, ttl: '2s', status: 'passing' });
    setInterval(() => consul.agent.check.pass(checkId).catch(() => undefined), 400);
  }
  const nodeChecks = checkId ? ['serfHealth', checkId] : undefined;
  return consul.leader(key, { ttl, lockDelay, nodeChecks, value: `child-${process.pid}` });
}

main().then(run, (err) => {
  say({ event: 'error', message: String(err) });
  process.exit(1);
});

function run(election) {
  election.on('elected', (held) =>
    say({ event: 'elected', session: held.session, token: held.fencingToken }),
  );
  election.on('revoked', (err) => say({ event: 'revoked', reason: err.reason }));
  election.on('error', (err) => say({ event: 'error', message: String(err) }));
  election.start();
  say({ event: 'started', pid: process.pid });

  process.on('SIGTERM', () => {
    election
      .stop()
      .then(() => consul.close())
      .finally(() => process.exit(0));
  });
}
