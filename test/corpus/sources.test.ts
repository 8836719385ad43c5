/**
 * Bad-input corpus, sources: huge files, binary files named `.ts`, circular imports, files that
 * do not parse. Each gets a finding or works; none crashes or hangs FeatureGuard.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDirs, runJson, writeFiles } from '../helpers';
import { edit, repo } from '../e2e/featureRepo';

const verdicts = (report: any) => report.features.map((f: any) => `${f.name}:${f.verdict}`);
const findingLines = (findings: any[]) => findings.map((f: any) => `${f.check}:${f.severity} ${f.location.file}:${f.location.line}:${f.location.column} ${f.message}`);
/** Makes the spend feature read a constant from `file`, a new module holding `text`. */
function importConstant(root: string, file: string, name: string, text: string, use: string): void {
  writeFiles(root, { [`src/features/${file}.ts`]: text });
  edit(root, "import { clip } from './util';", `import { clip } from './util';\nimport { ${name} } from './${file}';`);
  edit(root, 'return row.spend;', use);
}

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
    assert.equal(r.code, 0);
    assert.deepEqual(verdicts(r.report), ['spend:identical']);
    assert.deepEqual(r.report.features[0].findings, []);
  });

  it('a 100,000-term expression (generated code) is analyzed, not a stack overflow', () => {
    const root = repo();
    importConstant(root, 'chain', 'C', `export const C = ${Array.from({ length: 100000 }, () => '1').join(' + ')};\n`, 'return row.spend + C - 100000;');
    const r = runJson(root, ['check']);
    assert.equal(r.code, 0);
    assert.deepEqual(verdicts(r.report), ['spend:identical']);
    assert.deepEqual(r.report.findings, []);
  });

  it('code nested 20,000 levels deep is a code.syntax finding, not a crash', () => {
    const root = repo();
    importConstant(root, 'deep', 'D', `export const D = ${'('.repeat(20000)}1${')'.repeat(20000)};\n`, 'return row.spend * D;');
    const r = runJson(root, ['check']);
    assert.equal(r.code, 1);
    assert.deepEqual(findingLines(r.report.findings), ['code.syntax:error src/features/deep.ts:1:1 src/features/deep.ts does not parse: the code is nested too deeply to parse (the parser ran out of stack)']);
  });

  it('a syntax error is code.syntax at its line, and the feature it is in is broken', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return row.spend +;');
    const r = runJson(root, ['check']);
    assert.equal(r.code, 1);
    assert.deepEqual(findingLines(r.report.findings), ['code.syntax:error src/features/customer.ts:4:53 src/features/customer.ts does not parse: Expression expected.']);
    assert.deepEqual(verdicts(r.report), ['spend:broken']);
  });

  it('a UTF-16 source file (PowerShell writes them) is read as text, and its edit checked', () => {
    const root = repo();
    const text = readFileSync(join(root, 'src/features/customer.ts'), 'utf8').replace('return row.spend;', 'return row.spend * 2;');
    writeFiles(root, { 'src/features/customer.ts': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) });
    const r = runJson(root, ['check']);
    assert.deepEqual(r.report.findings, []);
    assert.deepEqual(verdicts(r.report), ['spend:changed']);
    assert.equal(r.report.features[0].change.kind, 'affine');
  });

  it('a binary file named .ts is a code.syntax finding, not a crash', () => {
    const root = repo();
    writeFiles(root, { 'src/features/blob.ts': Buffer.from([0, 1, 2, 255, 254, 0, 0x7f, 0x80, 0x81, 0xc3]) });
    const r = runJson(root, ['check']);
    assert.equal(r.code, 1);
    assert.deepEqual(findingLines(r.report.findings), ['code.syntax:error src/features/blob.ts:1:1 src/features/blob.ts does not parse: Invalid character. (and 4 more)']);
    assert.deepEqual(r.report.features, []);
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

  it('conflict markers in a feature file are code.syntax at the first marker and make its feature broken', () => {
    const root = repo();
    const spend = 'export function spend(row: Row) { return row.spend; }\n';
    edit(root, spend, `<<<<<<< HEAD\n${spend.replace('row.spend;', 'row.spend * 2;')}=======\n${spend.replace('row.spend;', 'row.spend * 3;')}>>>>>>> other\n`);
    const r = runJson(root, ['check']);
    assert.equal(r.code, 1);
    assert.deepEqual(findingLines(r.report.findings), ['code.syntax:error src/features/customer.ts:4:1 src/features/customer.ts does not parse: Merge conflict marker encountered. (and 2 more)']);
    assert.deepEqual(verdicts(r.report), ['spend:broken']);
  });

  it('a syntax error that hides the exports after it makes those features broken, never source.missing', () => {
    const root = repo();
    // An unclosed block swallows the declarations after it: the parser no longer sees them as exports.
    edit(root, 'export function spend(row: Row) { return row.spend; }', 'export function spend(row: Row) { if (row.spend) { return row.spend; }');
    const r = runJson(root, ['check']);
    assert.equal(r.code, 1);
    assert.equal(r.report.findings.length, 1);
    assert.equal(r.report.findings[0].check, 'code.syntax');
    const all = r.report.features.flatMap((f: { findings: { check: string }[] }) => f.findings.map((x) => x.check));
    assert.deepEqual(all.filter((c: string) => c === 'source.missing'), [], JSON.stringify(r.report.features.map((f: { name: string; findings: unknown[] }) => [f.name, f.findings])));
    assert.ok(verdicts(r.report).length > 1 && verdicts(r.report).every((v: string) => v.endsWith(':broken')), verdicts(r.report).join(', '));
  });
});
