'use strict';
/**
 * A separate process taking part in a leader election, for the handover tests. It loads the core
 * sources through a TypeScript transpile hook (no build needed), prints one JSON line per event on
 * stdout, and on SIGTERM stops campaigning (releasing leadership) and exits.
 *
 * argv: <address> <key> <ttl> <lockDelay> [--no-liveness]
 * The child uses the default leader election, whose sessions are bound to a liveness check (a TTL
 * check on a `consulkit-session` service, passed on every renewal): when the process dies the check
 * turns critical within one TTL and Consul invalidates the session. `--no-liveness` turns it off,
 * leaving the session to Consul's own expiry (up to 2×TTL).
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

const [address, key, ttl, lockDelay, flag] = process.argv.slice(2);
const consul = new Consul({ address, logger: silentLogger });
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

async function main() {
  const options = { ttl, lockDelay, value: `child-${process.pid}` };
  return consul.leader(
    key,
    flag === '--no-liveness' ? { ...options, livenessCheck: false } : options,
  );
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
