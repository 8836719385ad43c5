/**
 * The bundles parse with dist/typescript.js, the compiler cut down to its parser
 * (scripts/parserOnlyCompiler.mjs). These tests hold it to the whole compiler: the same summary,
 * field by field, for every TypeScript and JavaScript file of this repository and for the forms
 * the cut could break (private names, JSX, syntax errors, other line breaks).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Ts } from '../../engine/lang/typescript/compiler';
import { PARSER_API } from '../../engine/lang/typescript/parserApi';
import { summarizeWith } from '../../engine/lang/typescript/summarizeModule';
import { git, REPO_ROOT } from '../helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (file: string) => require(file) as Ts;
const whole = load(join(REPO_ROOT, 'node_modules/@ts-morph/common/dist/typescript.js'));
const parserOnly = load(join(REPO_ROOT, 'dist/typescript.js'));

/** The repository's own TypeScript and JavaScript files (tracked ones: not generated benchmark workspaces). */
function sourceFiles(): string[] {
  return git(REPO_ROOT, 'ls-files', '-z', '--', '*.ts', '*.tsx', '*.mts', '*.cts', '*.js', '*.jsx', '*.mjs', '*.cjs')
    .split('\0')
    .filter((p) => p && !p.endsWith('.d.ts'))
    .map((p) => join(REPO_ROOT, p));
}

const EDGE_CASES: Record<string, string> = {
  'private.ts': 'import * as ns from "./m";\nexport class A { #x = ns.y; static #z() { return this.#x; } read(o: A) { return o.#x + ns.w; } }\n',
  'view.tsx': 'import { h } from "./h";\nexport const V = (p: { n: number }) => <div title={`${p.n}`}>{h(p.n)}<br /></div>;\n',
  'plain.jsx': 'export default function App() { return <>{[1, 2].map((x) => <i key={x} />)}</>; }\n',
  'broken.ts': 'export function f(a: number {\n  return a +;\n}\nexport const g = ;\n',
  'crlf.ts': 'export const a = 1;\r\nexport function b() {\r\n  return a * 2;\r\n}\r\n',
  'separators.js': 'export const a = 1;\u2028export const b = a;\u2029export const c = `x${b}`;\n',
  'shapes.mts': 'export { a as "quoted name" } from "./a";\nexport * as all from "./b";\nexport = 3;\nenum E { A = 1 }\nnamespace N { export const k = E.A; }\nexport const { p, q: [r, , s] } = { p: 1, q: [2, 3, 4] };\n',
};

describe('the parser-only TypeScript compiler (dist/typescript.js)', () => {
  it('exports exactly the names the engine may use', () => {
    assert.deepEqual(Object.keys(parserOnly).sort(), [...PARSER_API].sort());
    for (const name of PARSER_API) assert.notEqual((parserOnly as unknown as Record<string, unknown>)[name], undefined, name);
  });

  it('summarizes every source file of this repository as the whole compiler does', function () {
    this.timeout(120_000);
    const files = sourceFiles();
    assert.ok(files.length > 300, `only ${files.length} files found`);
    let decls = 0;
    for (const file of files) {
      const path = relative(REPO_ROOT, file);
      const text = readFileSync(file, 'utf8');
      const expected = summarizeWith(whole, path, text);
      assert.deepEqual(summarizeWith(parserOnly, path, text), expected, path);
      decls += expected.decls.length;
    }
    assert.ok(decls > 1500, `only ${decls} declarations summarized`);
  });

  it('summarizes private names, JSX, syntax errors and other line breaks as the whole compiler does', () => {
    for (const [path, text] of Object.entries(EDGE_CASES)) {
      const expected = summarizeWith(whole, path, text);
      assert.ok(expected.decls.length > 0, `${path}: nothing summarized`);
      assert.deepEqual(summarizeWith(parserOnly, path, text), expected, path);
    }
    assert.ok(summarizeWith(parserOnly, 'broken.ts', EDGE_CASES['broken.ts']).syntaxErrors.length >= 2);
  });
});
