import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

// The generic helpers live in @consulkit/testing (`unique`: its `uniqueName`).
export { waitFor, uniqueName as unique } from '@consulkit/testing';

/** A loopback HTTP server answering every request with `status()` (for HTTP checks). */
export async function statusServer(
  status: () => number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.statusCode = status();
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/health`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
