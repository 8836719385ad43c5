/**
 * Bad-input corpus, sources: huge files, binary files named `.ts`, circular imports, files that
 * do not parse. Each gets a finding or works; none crashes or hangs FeatureGuard.
 */
import { strict as assert } from 'node:assert';
import { removeTempDirs, runJson, writeFiles } from '../helpers';
import { edit, repo } from '../e2e/featureRepo';

describe('corpus: sources', function () {
  this.timeout(60000);
  after(removeTempDirs);

  it('a 5 MB generated source file is analyzed', () => {
    const root = repo();
    const lines = ['export const TABLE = ['];
    for (let i = 0, size = 0; size < 5_000_000; i++) {
      const line = `  ${i * 1.5}, ${i * 2.5}, ${i * 3.5}, ${i * 4.5}, ${i * 5.5}, ${i * 6.5}, ${i * 7.5},`;
      lines.push(line);
      size += line.length + 1;
    }
    lines.push('];');
    writeFiles(root, { 'src/features/table.ts': lines.join('\n') + '\n' });
    edit(root, "import { clip } from './util';", "import { clip } from './util';\nimport { TABLE } from './table';");
    edit(root, 'return row.spend;', 'return row.spend + TABLE[0];');
    const r = runJson(root, ['check']);
    assert.equal(r.report.features.find((f: any) => f.name === 'spend').verdict, 'identical');
  });

  it('a binary file named .ts is a code.syntax finding, not a crash', () => {
    const root = repo();
    writeFiles(root, { 'src/features/blob.ts': Buffer.from([0, 1, 2, 255, 254, 0, 0x7f, 0x80, 0x81, 0xc3]) });
    const r = runJson(root, ['check']);
    assert.equal(r.code, 1);
    assert.deepEqual(r.report.findings.map((f: any) => `${f.check}:${f.location.file}`), ['code.syntax:src/features/blob.ts']);
  });

  it('circular imports are followed without looping, and the edit is found', () => {
    const root = repo();
    writeFiles(root, {
      'src/features/a.ts': "import { b } from './b';\nexport const A = 1;\nexport function a(n: number): number { return n <= 0 ? A : b(n - 1); }\n",
      'src/features/b.ts': "import { a } from './a';\nexport const B = 2;\nexport function b(n: number): number { return n <= 0 ? B : a(n - 1); }\n",
    });
    edit(root, "import { clip } from './util';", "import { clip } from './util';\nimport { a } from './a';");
    edit(root, 'return row.age; }', 'return row.age + a(3) - 2; }');
    const r = runJson(root, ['check']);
    const age = r.report.features.find((f: any) => f.name === 'age_years');
    assert.equal(age.verdict, 'identical', 'a(3) = 2 through the cycle');
  });

  it('conflict markers in a feature file are code.syntax and make its features broken', () => {
    const root = repo();
    edit(root, 'return row.spend;', '<<<<<<< HEAD\n  return row.spend;\n=======\n  return row.spend * 2;\n>>>>>>> other');
    const r = runJson(root, ['check']);
    assert.equal(r.code, 1);
    assert.equal(r.report.findings[0].check, 'code.syntax');
    assert.ok(r.report.features.some((f: any) => f.verdict === 'broken'));
  });
});
