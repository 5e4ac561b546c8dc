import http from 'node:http';
import https from 'node:https';

/** Limits of {@link download}. */
export interface DownloadLimits {
  /** Time allowed for name lookup and TCP connect, in ms: an unreachable host fails this fast. */
  connectTimeoutMs: number;
  /** Longest silence once connected, in ms. */
  idleTimeoutMs: number;
}

const MAX_REDIRECTS = 5;

/** GETs `url` (http or https, following redirects) into memory; rejects on any status but 200. */
export function download(url: string, limits: DownloadLimits, redirects = 0): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const req = client.get(target, { agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location && redirects < MAX_REDIRECTS) {
        res.resume();
        resolve(download(new URL(location, target).toString(), limits, redirects + 1));
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new Error(`${url} answered HTTP ${status}`));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    const connectTimer = setTimeout(() => {
      req.destroy(
        new Error(`no connection to ${target.host} within ${limits.connectTimeoutMs} ms`),
      );
    }, limits.connectTimeoutMs);
    req.on('socket', (socket) => socket.once('connect', () => clearTimeout(connectTimer)));
    req.setTimeout(limits.idleTimeoutMs, () => {
      req.destroy(new Error(`${url} sent nothing for ${limits.idleTimeoutMs} ms`));
    });
    req.on('close', () => clearTimeout(connectTimer));
    req.on('error', (err) => reject(new Error(`GET ${url} failed: ${err.message}`)));
  });
}
