import { Consul, type KvEntry, silentLogger } from '@consulkit/core';
import { type ConsulCluster, startCluster } from '@consulkit/testing';
import { uniqueName } from '../support/diagnostics';
import { type FastifyBackend, startFastifyBackend } from '../support/fastify-app';
import { describeFailures, runLoad } from '../support/load';
import { MODE, scale } from '../support/mode';
import { delay, since, waitFor } from '../support/wait';

jest.setTimeout(240_000);

describe('chaos: leader loss', () => {
  let cluster: ConsulCluster;
  const clients: Consul[] = [];
  const backends: FastifyBackend[] = [];
  const client = () => {
    const c = new Consul({ address: cluster.address, logger: silentLogger });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    cluster = await startCluster({ servers: 3, clients: 1 });
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled(backends.map((b) => b.app.close()));
    await Promise.allSettled(clients.map((c) => c.close()));
    await cluster?.stop();
  }, 60_000);

  it('keeps discovery-backed calls and config watches going through a leader election', async () => {
    const service = uniqueName('leader');
    const prefix = `${uniqueName('chaos-leader')}/`;
    const start = async (label: string) => {
      const backend = await startFastifyBackend(label, {
        consul: { address: cluster.address, logger: silentLogger },
        service: { name: service, check: { interval: '1s', timeout: '1s' } },
        drain: 0,
        deregisterTimeout: '2s',
      });
      backends.push(backend);
      return backend;
    };
    await Promise.all(['b0', 'b1', 'b2'].map(start));

    const consumer = client();
    const http = consumer.http(service, { timeout: '10s' });
    await waitFor(() => http.source.instances().length === 3, {
      timeout: 60_000,
      what: '3 passing instances',
    });

    const writer = client();
    await writer.kv.put(`${prefix}value`, '0');
    const config = consumer.config({ prefix, keys: { value: { parse: 'number' } } });
    await config.ready();
    const seen: number[] = [];
    config.on('change', (_changes, snapshot) => seen.push(snapshot.values.value as number));
    // The raw watch under it: every delivery must carry a newer index than the previous one.
    const deliveries: KvEntry[] = [];
    const watch = consumer.watchKey(`${prefix}value`, { wait: '5s' });
    watch.on('change', (entry) => {
      if (entry) deliveries.push(entry);
    });
    await watch.ready();

    // Writes 1..N in order, each retried until Consul accepts it (bounded), spanning the election.
    const writes = scale(30, 80);
    let written = 0;
    let writeRetries = 0;
    const writeAll = async () => {
      for (let v = 1; v <= writes; v++) {
        for (let attempt = 0; ; attempt++) {
          try {
            await writer.kv.put(`${prefix}value`, String(v));
            break;
          } catch (err) {
            writeRetries++;
            if (attempt >= 100) throw err;
            await delay(100);
          }
        }
        written = v;
        await delay(60);
      }
    };

    let killedAt = 0;
    let electedMs = -1;
    let killedName = '';
    const electAfter = Math.floor(writes / 3);
    const election = (async () => {
      await waitFor(() => written >= electAfter, {
        timeout: 60_000,
        what: 'writes before the kill',
      });
      killedAt = performance.now();
      const killed = await cluster.killLeader();
      killedName = killed.nodeName;
      electedMs = since(killedAt);
    })();

    let writesDone = false;
    const total = scale(2_000, 5_000);
    const [result] = await Promise.all([
      runLoad({
        total,
        until: () => writesDone && electedMs >= 0,
        concurrency: 6,
        pauseMs: 5,
        maxMs: 180_000,
        send: async () => {
          const res = await http.get('/work');
          const text = await res.body.text();
          if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${text}`);
          return text;
        },
      }),
      writeAll().finally(() => (writesDone = true)),
      election,
    ]);

    // Watches resumed: the final value arrives, and a backend started after the election is found.
    const resumeStarted = performance.now();
    await waitFor(() => config.get('value') === writes, {
      timeout: 60_000,
      what: `config value ${writes}`,
    });
    const configResumeMs = since(resumeStarted);
    // The raw watch may still be backing off from the election's errors: wait for its final value too.
    await waitFor(() => watch.current?.value === String(writes), {
      timeout: 60_000,
      what: `raw watch value ${writes}`,
    });
    await delay(500); // a duplicate delivery would come right after the final one
    const late = await start('b3');
    await waitFor(() => http.source.instances().some((i) => i.id === late.id), {
      timeout: 60_000,
      what: 'a backend registered after the election in discovery',
    });
    const discoveryResumeMs = since(resumeStarted);
    const newLeader = await cluster.leader();

    const increasing = seen.every((v, i) => i === 0 || v > (seen[i - 1] as number));
    const indexes = deliveries.map((d) => d.modifyIndex);
    const indexesIncreasing = indexes.every((x, i) => i === 0 || x > (indexes[i - 1] as number));
    // Values never go back; a write retried after an answer lost in the election may land twice
    // (same value, newer index), so the raw watch may repeat a value but never step back.
    const delivered = deliveries.map((d) => Number(d.value));
    const valuesNeverBack = delivered.every((v, i) => i === 0 || v >= (delivered[i - 1] as number));
    const finals = seen.filter((v) => v === writes).length;
    const finalDeliveries = deliveries.filter((d) => d.value === String(writes)).length;
    console.log(
      `[chaos] leader-loss (${MODE}): sent=${result.sent} failed=${result.failed} ` +
        `killed=${killedName} new-leader=${newLeader.nodeName} election=${electedMs}ms ` +
        `writes=${writes} write-retries=${writeRetries} config-changes=${seen.length} ` +
        `final-seen=${finals}x watch-deliveries=${deliveries.length} final-delivered=${finalDeliveries}x ` +
        `config-resume=${configResumeMs}ms discovery-resume=${discoveryResumeMs}ms run=${result.ms}ms`,
    );
    expect(newLeader.nodeName).not.toBe(killedName);
    expect(result.sent).toBeGreaterThanOrEqual(total);
    expect(describeFailures(result.failures)).toBe('');
    expect(result.failed).toBe(0);
    expect(increasing).toBe(true);
    expect(indexesIncreasing).toBe(true);
    expect(valuesNeverBack).toBe(true);
    expect(seen[seen.length - 1]).toBe(writes);
    expect(finals).toBe(1);
    expect(finalDeliveries).toBe(1);
    expect(watch.current?.value).toBe(String(writes));
    await watch.stop();
    await http.close();
  });
});
