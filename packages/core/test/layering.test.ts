import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// The layering rules of ARCHITECTURE.md are lint rules (eslint.config.mjs), and `npm test` lints:
// each planted violation below must be reported by the project's own configuration. The planted
// files are written into the packages' source folders (the rules are path-based and the cycle rule
// reads imported files from disk), linted in one ESLint run in a child process (its flat config is
// an ES module, which jest's module runtime cannot load), and removed again.

const repo = path.resolve(__dirname, '../../..');
const eslintBin = path.join(repo, 'node_modules/eslint/bin/eslint.js');
const folder = `planted-layering-${process.pid}`;

const planted: Record<string, string> = {
  'core/clean.ts': "export { Consul } from '../consul';\n",
  'core/framework.ts': "import Fastify from 'fastify';\nexport const f = Fastify;\n",
  'core/nest.ts': "import { Module } from '@nestjs/common';\nexport const m = Module;\n",
  'core/harness.ts':
    "import { startConsul } from '@consulkit/testing';\nexport const s = startConsul;\n",
  'core/cycle-a.ts': "import { b } from './cycle-b';\nexport const a = (): number => b();\n",
  'core/cycle-b.ts': "import { a } from './cycle-a';\nexport const b = (): number => a();\n",
  'nest-consul/clean.ts': "import { Consul } from '@consulkit/core';\nexport const c = Consul;\n",
  'nest-consul/relative.ts':
    "import { Consul } from '../../../core/src/consul';\nexport const c = Consul;\n",
  'fastify-consul/deep.ts':
    "import { Transport } from '@consulkit/core/dist/transport';\nexport const t = Transport;\n",
  'fastify-consul/kit.ts':
    "import { toMillis } from '@consulkit/core/adapter';\nexport const t = toMillis;\n",
  'testing/core.ts': "import { Consul } from '@consulkit/core';\nexport const c = Consul;\n",
};

const fileOf = (key: string) => {
  const [pkg, name] = key.split('/') as [string, string];
  return path.join(repo, 'packages', pkg, 'src', folder, name);
};
const found = new Map<string, Array<string | null>>();

beforeAll(() => {
  const packages = new Set(Object.keys(planted).map((k) => k.split('/')[0] as string));
  try {
    for (const [key, text] of Object.entries(planted)) {
      mkdirSync(path.dirname(fileOf(key)), { recursive: true });
      writeFileSync(fileOf(key), text);
    }
    const files = Object.keys(planted).map(fileOf);
    const run = spawnSync(process.execPath, [eslintBin, '--format', 'json', ...files], {
      cwd: repo,
      encoding: 'utf8',
    });
    const results = JSON.parse(run.stdout) as Array<{
      filePath: string;
      messages: Array<{ ruleId: string | null }>;
    }>;
    for (const key of Object.keys(planted)) {
      const result = results.find((r) => r.filePath === fileOf(key));
      if (!result) throw new Error(`ESLint did not report on ${key}: ${run.stderr}`);
      found.set(
        key,
        result.messages.map((m) => m.ruleId),
      );
    }
  } finally {
    for (const pkg of packages) {
      rmSync(path.join(repo, 'packages', pkg, 'src', folder), { recursive: true, force: true });
    }
  }
}, 120_000);

describe('layering rules', () => {
  it('accept a clean file in each layer', () => {
    expect(found.get('core/clean.ts')).toEqual([]);
    expect(found.get('nest-consul/clean.ts')).toEqual([]);
    expect(found.get('fastify-consul/kit.ts')).toEqual([]);
  });

  it('core imports no framework and no other workspace package', () => {
    expect(found.get('core/framework.ts')).toEqual(['no-restricted-imports']);
    expect(found.get('core/nest.ts')).toEqual(['no-restricted-imports']);
    expect(found.get('core/harness.ts')).toEqual(['no-restricted-imports']);
  });

  it("adapters reach core only through '@consulkit/core' and '@consulkit/core/adapter'", () => {
    expect(found.get('fastify-consul/deep.ts')).toContain('no-restricted-imports');
    expect(found.get('nest-consul/relative.ts')).toEqual(['no-restricted-imports']);
  });

  it('the harness does not import core', () => {
    expect(found.get('testing/core.ts')).toEqual(['no-restricted-imports']);
  });

  it('reports an import cycle inside a package', () => {
    expect(found.get('core/cycle-a.ts')).toEqual(['import-x/no-cycle']);
    expect(found.get('core/cycle-b.ts')).toEqual(['import-x/no-cycle']);
  });
});
