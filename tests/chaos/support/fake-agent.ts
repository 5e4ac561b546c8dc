import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

/** One answer of the fake agent. */
export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

/**
 * A node:http server on 127.0.0.1 that answers every request with whatever the test tells it: a
 * feeder of malformed answers for the client's parsers (bad JSON, wrong shapes, impossible
 * indexes, unexpected statuses). It does not pretend to behave like Consul: the real-agent
 * scenarios cover that.
 */
export interface FakeAgent {
  readonly address: string;
  /** Requests seen, as `METHOD path`. */
  readonly requests: string[];
  /** Sets the answer for the following requests. */
  answer(next: FakeAnswer | ((req: IncomingMessage) => FakeAnswer)): void;
  close(): Promise<void>;
}

export async function startFakeAgent(): Promise<FakeAgent> {
  const requests: string[] = [];
  let responder: (req: IncomingMessage) => FakeAnswer = () => ({ status: 200, body: 'null' });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      let answer: FakeAnswer;
      try {
        answer = responder(req);
      } catch {
        answer = { status: 500, body: 'fake agent responder failed' };
      }
      try {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      } catch {
        // An invalid header value generated on purpose: answer without the headers.
        if (!res.headersSent) res.writeHead(answer.status);
        res.end(answer.body);
      }
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    requests,
    answer(next) {
      responder = typeof next === 'function' ? next : () => next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
