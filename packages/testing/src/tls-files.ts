import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { type TlsFiles } from './agent-args';

const execFileAsync = promisify(execFile);

/**
 * Makes a CA and a server certificate with `consul tls` in `<dataDir>/tls`. The certificate names
 * `server.<dc>.consul`, `localhost` and `127.0.0.1`.
 */
export async function makeTlsFiles(
  binary: string,
  dataDir: string,
  datacenter: string,
): Promise<TlsFiles> {
  const dir = path.join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true });
  await execFileAsync(binary, ['tls', 'ca', 'create'], { cwd: dir, timeout: 30_000 });
  await execFileAsync(binary, ['tls', 'cert', 'create', '-server', `-dc=${datacenter}`], {
    cwd: dir,
    timeout: 30_000,
  });
  return {
    ca: path.join(dir, 'consul-agent-ca.pem'),
    cert: path.join(dir, `${datacenter}-server-consul-0.pem`),
    key: path.join(dir, `${datacenter}-server-consul-0-key.pem`),
  };
}
