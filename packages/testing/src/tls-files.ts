import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { type TlsFiles } from './agent-args';

const execFileAsync = promisify(execFile);

/**
 * Makes a CA and a server certificate with `consul tls` in `<dataDir>/tls`. The certificate names
 * `server.<dc>.consul`, `localhost` and `127.0.0.1`. With `client`, also a client certificate and
 * key signed by the same CA (`client.<dc>.consul`), for agents that verify incoming connections.
 */
export async function makeTlsFiles(
  binary: string,
  dataDir: string,
  datacenter: string,
  client = false,
): Promise<TlsFiles> {
  const dir = path.join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true });
  await execFileAsync(binary, ['tls', 'ca', 'create'], { cwd: dir, timeout: 30_000 });
  await execFileAsync(binary, ['tls', 'cert', 'create', '-server', `-dc=${datacenter}`], {
    cwd: dir,
    timeout: 30_000,
  });
  const files: TlsFiles = {
    ca: path.join(dir, 'consul-agent-ca.pem'),
    cert: path.join(dir, `${datacenter}-server-consul-0.pem`),
    key: path.join(dir, `${datacenter}-server-consul-0-key.pem`),
  };
  if (!client) return files;
  await execFileAsync(binary, ['tls', 'cert', 'create', '-client', `-dc=${datacenter}`], {
    cwd: dir,
    timeout: 30_000,
  });
  return {
    ...files,
    clientCert: path.join(dir, `${datacenter}-client-consul-0.pem`),
    clientKey: path.join(dir, `${datacenter}-client-consul-0-key.pem`),
  };
}
