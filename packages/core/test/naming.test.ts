import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

// Names say what a thing is, and no two things share one: an option normaliser is always
// `resolve…Options` (a check that only throws, `validate…Options`), and no source file shares its
// base name with a folder beside it.

const packages = path.resolve(__dirname, '../..');
const sourceDirs = readdirSync(packages)
  .map((p) => path.join(packages, p, 'src'))
  .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory());

function walk(dir: string): string[] {
  const subfolders = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  return [dir, ...subfolders.flatMap((e) => walk(path.join(dir, e.name)))];
}
const folders = sourceDirs.flatMap(walk);
const files = folders.flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f)),
);

describe('naming', () => {
  it('finds the sources of every package', () => {
    expect(sourceDirs.map((d) => path.basename(path.dirname(d))).sort()).toEqual([
      'core',
      'fastify-consul',
      'nest-consul',
      'testing',
    ]);
    expect(files.length).toBeGreaterThan(100);
  });

  it('names every option normaliser resolve…Options (no normalise/normalize)', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const [, name = ''] of text.matchAll(/function\s+([A-Za-z]\w*)\s*[<(]/g)) {
        const normaliser = /^normali[sz]e/i.test(name);
        // A function that checks or normalises options (not one that builds them for a call).
        const optionsFn = /^(check|normali[sz]e|parse|resolve|validate)\w*Options$/.test(name);
        const wellNamed = /^(resolve|validate)[A-Z]\w*Options$/.test(name);
        if (normaliser || (optionsFn && !wellNamed))
          offenders.push(`${path.relative(packages, file)}: ${name}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('has no file sharing its base name with a folder beside it', () => {
    const clashes = files.filter((file) =>
      statSync(file.replace(/\.ts$/, ''), { throwIfNoEntry: false })?.isDirectory(),
    );
    expect(clashes.map((f) => path.relative(packages, f))).toEqual([]);
  });
});
