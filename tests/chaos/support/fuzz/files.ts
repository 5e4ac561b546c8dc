import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The ACL token the fuzz uses everywhere: it must never show up in an error message. */
export const SECRET = 'e1f2d3c4-b5a6-4789-8abc-def012345678';

/**
 * Real files for the options that read one (token, CA, client certificate), with their contents,
 * so the model knows what normalising must have read. Nothing is parsed as PEM at construction.
 */
export interface FuzzFiles {
  /** Holds ` SECRET \n`: the token is trimmed. */
  readonly token: string;
  /** Holds only white space: no token. */
  readonly blankToken: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** A `CONSUL_CAPATH` folder: one `.crt` (read) and one `.txt` (ignored). */
  readonly caDir: string;
  /** What reading {@link caDir} must give. */
  readonly caDirCerts: readonly Buffer[];
  /** A folder, where a file is expected (EISDIR). */
  readonly folder: string;
  /** A path that does not exist. */
  readonly missing: string;
  /** What each file above holds. */
  contents(file: string): Buffer;
  remove(): void;
}

export function createFuzzFiles(): FuzzFiles {
  const dir = mkdtempSync(path.join(tmpdir(), 'consulkit-fuzz-'));
  const contents = new Map<string, Buffer>();
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    contents.set(file, Buffer.from(text));
    return file;
  };
  const caDir = path.join(dir, 'ca.d');
  mkdirSync(caDir);
  const caDirCert = write('ca.d/agent.crt', 'PEM CA FROM CAPATH');
  write('ca.d/README.txt', 'not a certificate');
  return {
    token: write('token', ` ${SECRET} \n`),
    blankToken: write('blank-token', ' \n'),
    ca: write('ca.pem', 'PEM CA'),
    cert: write('cert.pem', 'PEM CLIENT CERT'),
    key: write('key.pem', `PEM CLIENT KEY ${SECRET}`),
    caDir,
    caDirCerts: [contents.get(caDirCert) as Buffer],
    folder: dir,
    missing: path.join(dir, 'does-not-exist'),
    contents(file) {
      const found = contents.get(file);
      if (found === undefined) throw new Error(`the fuzz model has no file ${file}`);
      return found;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
