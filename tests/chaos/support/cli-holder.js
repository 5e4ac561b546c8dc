'use strict';
/**
 * The command `consul lock <prefix> node cli-holder.js …` runs while the CLI holds the lock. It
 * reads the lock key (consistent) to learn its fencing token — the ModifyIndex of the acquiring
 * write, the same token our Lock uses — enters the fenced resource, stays a moment, and leaves.
 * Exits non-zero when the key does not name a session or the resource refused it.
 *
 * argv: <consul address> <lock key> <resource url> <who>
 */
const [address, key, resource, who] = process.argv.slice(2);

async function main() {
  const res = await fetch(`${address}/v1/kv/${key}?consistent`);
  if (res.status !== 200) throw new Error(`lock key read: ${res.status}`);
  const [entry] = await res.json();
  if (!entry || !entry.Session) throw new Error('the lock key names no session');
  const token = entry.ModifyIndex;
  const q = `who=${encodeURIComponent(who)}&token=${token}`;
  const entered = await fetch(`${resource}/enter?${q}`, { method: 'POST' });
  await entered.arrayBuffer();
  await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
  const left = await fetch(`${resource}/leave?${q}`, { method: 'POST' });
  await left.arrayBuffer();
  if (entered.status !== 200) throw new Error(`resource refused token ${token}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`cli-holder: ${String(err)}\n`);
    process.exit(3);
  },
);
