import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import * as kit from '../src/adapter';
import * as core from '../src';
import { Consul } from '../src';

// The entry points export exactly what the README's "What is public" lists: every export is a
// semver promise, so one that appears or disappears without the list changing is a mistake.

const pkg = path.resolve(__dirname, '..');
const repo = path.resolve(pkg, '../..');
const readme = readFileSync(path.join(pkg, 'README.md'), 'utf8');

function listed(heading: string): string[] {
  const start = readme.indexOf(`### ${heading}\n`);
  if (start < 0) throw new Error(`README has no "### ${heading}" section`);
  const body = readme.slice(start).split('\n').slice(1).join('\n');
  const end = body.search(/^#{2,3} /m);
  return [...body.slice(0, end).matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((m) => m[1] as string);
}

/** Every name a module exports, values and types, as the compiler sees it. */
function compiledExports(file: string): string[] {
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    strict: true,
    types: ['node'],
  });
  const source = program.getSourceFile(file);
  const symbol = source && program.getTypeChecker().getSymbolAtLocation(source);
  if (!symbol) throw new Error(`cannot read ${file}`);
  return program
    .getTypeChecker()
    .getExportsOfModule(symbol)
    .map((s) => s.name);
}

const sorted = (names: Iterable<string>) => [...names].sort();

describe.each([
  ['@consulkit/core', 'index.ts', core as Record<string, unknown>],
  ['@consulkit/core/adapter', 'adapter/index.ts', kit as Record<string, unknown>],
])('%s', (entry, file, runtime) => {
  const values = listed(`\`${entry}\` values`);
  const types = listed(`\`${entry}\` types`);

  it('exports at run time exactly the values the README lists', () => {
    expect(sorted(Object.keys(runtime))).toEqual(sorted(values));
  });

  it('exports exactly the values and types the README lists', () => {
    expect(sorted(compiledExports(path.join(pkg, 'src', file)))).toEqual(
      sorted([...values, ...types]),
    );
  });

  it('lists no name twice', () => {
    expect(new Set([...values, ...types]).size).toBe(values.length + types.length);
  });
});

describe('contract names', () => {
  it('keeps the names the design and the READMEs promise on the root entry', () => {
    const contract = [
      'Consul',
      'ConsulError',
      'ServiceClient',
      'roundRobin',
      'random',
      'weighted',
      'leastRequests',
      'p2c',
      'consistentHash',
      'Registration',
      'ConfigStore',
      'Watch',
      'Lock',
      'Semaphore',
      'LeaderElection',
      'DIAGNOSTIC_CHANNELS',
    ];
    expect(contract.filter((name) => !(name in core))).toEqual([]);
    expect(new core.ConsulNotFoundError('gone', {}).code).toBe('CONSUL_NOT_FOUND');
  });

  it('keeps renamed values as aliases of the same thing', () => {
    expect(core.ConsulConfigError).toBe(core.ConsulOptionError);
    expect(new core.ConsulConfigError('x', 'a string', 1)).toMatchObject({
      code: 'CONSUL_CONFIG',
      option: 'x',
    });
    expect(kit.normaliseServiceOptions).toBe(kit.resolveServiceOptions);
  });

  it("keeps the client's endpoint groups as properties", async () => {
    const consul = new Consul({ address: 'http://127.0.0.1:1' });
    try {
      for (const name of ['agent', 'health', 'catalog', 'session', 'kv', 'txn', 'discovery']) {
        // `txn` is callable (`consul.txn(ops)`) and has methods; the others are objects.
        expect(['object', 'function']).toContain(typeof consul[name as keyof Consul]);
      }
    } finally {
      await consul.close();
    }
  });

  it('every name a README imports from core is exported by that entry', () => {
    const readmes = [
      'README.md',
      ...['packages', 'examples'].flatMap((dir) =>
        readdirSync(path.join(repo, dir)).map((p) => `${dir}/${p}/README.md`),
      ),
    ];
    const missing: string[] = [];
    for (const file of readmes) {
      let text: string;
      try {
        text = readFileSync(path.join(repo, file), 'utf8');
      } catch {
        continue; // a package without a README
      }
      const imports = text.matchAll(
        /import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'(@consulkit\/core(?:\/adapter)?)'/g,
      );
      for (const [, names = '', entry] of imports) {
        const exported = entry === '@consulkit/core' ? core : kit;
        const wanted = new Set([...values(entry), ...types(entry)]);
        for (const raw of names.split(',')) {
          const name = raw
            .trim()
            .replace(/^type\s+/, '')
            .split(/\s+as\s+/)[0];
          if (name && !(name in exported) && !wanted.has(name)) {
            missing.push(`${file}: ${name} from ${entry}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });
});

function values(entry: string | undefined): string[] {
  return listed(`\`${entry}\` values`);
}
function types(entry: string | undefined): string[] {
  return listed(`\`${entry}\` types`);
}
