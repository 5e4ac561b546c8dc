'use strict';
/**
 * A process holding a lock with @consulkit/core and writing to the fenced resource every 100 ms with
 * its fencing token, checking `held.signal` before each write. The test SIGSTOPs it past its TTL and
 * SIGCONTs it. Prints JSON lines: `acquired` (token), `write` (accepted or not), `lost` (reason)
 * from the signal's abort listener, and `stopped` when it stopped writing.
 *
 * argv: <consul address> <lock key> <resource url>
 */
const { Consul, silentLogger } = require('@consulkit/core');

const [address, key, resource] = process.argv.slice(2);
const say = (event) => process.stdout.write(`${JSON.stringify({ ...event, t: Date.now() })}\n`);
const consul = new Consul({ address, logger: silentLogger });

async function main() {
  const held = await consul
    .lock(key, { ttl: '10s', lockDelay: '1s', goCompatible: true })
    .acquire({ timeout: '60s' });
  held.signal.addEventListener('abort', () =>
    say({ event: 'lost', reason: held.signal.reason.reason }),
  );
  say({ event: 'acquired', token: held.fencingToken, pid: process.pid });
  for (let i = 0; i < 3_000; i++) {
    if (held.signal.aborted) break;
    const res = await fetch(`${resource}/write?who=child&token=${held.fencingToken}`, {
      method: 'POST',
    });
    await res.arrayBuffer();
    say({ event: 'write', accepted: res.status === 200, token: held.fencingToken });
    await new Promise((r) => setTimeout(r, 100));
  }
  say({ event: 'stopped', aborted: held.signal.aborted });
  await consul.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    say({ event: 'error', message: String(err) });
    process.exit(1);
  },
);
