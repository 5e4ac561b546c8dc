import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Consul, ConsulProtocolError, silentLogger } from '../src';

// Consul answers a write with the JSON literal `true` or `false`. Anything else is a broken answer
// (a proxy's page, a truncated body) and must not read as a success. Malformed answers cannot be
// had from a real agent, so a loopback server plays it.

let body = 'true';
let server: Server;
let consul: Consul;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  consul = new Consul({
    address: `http://127.0.0.1:${port}`,
    logger: silentLogger,
    retry: { retries: 0 },
  });
});

afterAll(async () => {
  await consul.close();
  await new Promise((resolve) => server.close(resolve));
});

const writes: Array<[string, () => Promise<boolean>]> = [
  ['kv.put', () => consul.kv.put('k', 'v')],
  ['kv.delete', () => consul.kv.delete('k')],
  ['session.destroy', () => consul.session.destroy('0b6e5b59-0000-4000-8000-000000000000')],
];

describe.each(writes)('%s', (_name, write) => {
  it.each([
    ['true', true],
    ['true\n', true],
    ['false', false],
  ])('reads %j as %s', async (answer, expected) => {
    body = answer;
    await expect(write()).resolves.toBe(expected);
  });

  it.each(['not true', '', '"true"', '{"ok":true}'])(
    'rejects %j with a ConsulProtocolError',
    async (answer) => {
      body = answer;
      await expect(write()).rejects.toBeInstanceOf(ConsulProtocolError);
    },
  );
});
