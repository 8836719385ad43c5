/**
 * The Python front end against CPython's own compiler: on real files (the standard library of
 * Debian's `python3`), the module's declarations and imports and the global names of every
 * function, as the front end reads them (`pythonScopeReport`), must be what `ast` + `symtable`
 * say (test/engine/python/symtableReference.py, where the few definitional alignments are
 * documented). The test name carries the counts.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Mocha from 'mocha';
import { pythonScopeReport, type PythonScopeReport } from '../../engine/lang/python/scopeReport';
import { loadPythonParser } from '../../engine/lang/python/treeSitter';
import { REPO_ROOT } from '../helpers';

/** Debian's interpreter, as in .ci/run; its standard library is the corpus. */
const PYTHON = '/usr/bin/python3';
const REFERENCE_SCRIPT = join(REPO_ROOT, 'test', 'engine', 'python', 'symtableReference.py');
/** Besides the standard library's top-level modules, these packages (with their subpackages). */
const PACKAGES = ['json', 'email', 'asyncio', 'concurrent/futures', 'importlib'];
/** So that the test cannot pass on a corpus that went missing. */
const MIN_FILES = 200;
const MIN_FUNCTIONS = 3000;
/** The share of functions that must match; every one that does not is listed when this fails. */
const MIN_FUNCTION_SHARE = 0.995;

interface Reference {
  path: string;
  error?: string;
  /** The source encoding Python detected (the front end reads UTF-8). */
  encoding?: string;
  decls: string[];
  imports: string[];
  functions: PythonScopeReport['functions'];
}

interface Comparison {
  files: number;
  skipped: string[];
  moduleMismatches: string[];
  /** Functions symtable reports, and how many of them the front end reads alike. */
  functions: number;
  matched: number;
  /** Those that differ, and functions only the front end reports. */
  functionMismatches: string[];
}

function corpus(stdlib: string): string[] {
  const files = readdirSync(stdlib).filter((n) => n.endsWith('.py')).map((n) => join(stdlib, n));
  const walk = (dir: string): void => {
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      if (n.endsWith('.py')) files.push(p);
      else if (n !== '__pycache__' && statSync(p).isDirectory()) walk(p);
    }
  };
  for (const pkg of PACKAGES) walk(join(stdlib, pkg));
  return files.sort();
}

function difference(ours: string[], theirs: string[]): string | undefined {
  const o = new Set(ours);
  const t = new Set(theirs);
  const missing = theirs.filter((n) => !o.has(n));
  const extra = ours.filter((n) => !t.has(n));
  if (!missing.length && !extra.length) return undefined;
  return `missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}`;
}

async function compare(): Promise<Comparison> {
  const stdlib = execFileSync(PYTHON, ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim();
  const paths = corpus(stdlib);
  // One interpreter for the whole corpus: one JSON line per file, in order.
  const out = execFileSync(PYTHON, [REFERENCE_SCRIPT, ...paths], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const references: Reference[] = out.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(references.length, paths.length);
  await loadPythonParser();
  const result: Comparison = { files: 0, skipped: [], moduleMismatches: [], functions: 0, matched: 0, functionMismatches: [] };
  for (const ref of references) {
    const rel = relative(stdlib, ref.path);
    if (ref.error) {
      result.skipped.push(`${rel}: ${ref.error}`);
      continue;
    }
    if (ref.encoding !== 'utf-8' && ref.encoding !== 'utf-8-sig') {
      result.skipped.push(`${rel}: encoded in ${ref.encoding}`);
      continue;
    }
    result.files++;
    const ours = pythonScopeReport(readFileSync(ref.path, 'utf8'));
    const problems: string[] = [];
    if (ours.syntaxErrors) problems.push(`${ours.syntaxErrors} syntax error(s) where CPython compiles the file`);
    const decls = difference(ours.decls, ref.decls);
    if (decls) problems.push(`decls: ${decls}`);
    const imports = difference(ours.imports, ref.imports);
    if (imports) problems.push(`imports: ${imports}`);
    if (problems.length) result.moduleMismatches.push(`${rel}: ${problems.join('; ')}`);

    // Functions by name and line; a key can repeat (two defs on one line), so each is a queue.
    const byKey = new Map<string, PythonScopeReport['functions']>();
    for (const f of ours.functions) {
      const key = `${f.name}:${f.line}`;
      byKey.set(key, [...(byKey.get(key) ?? []), f]);
    }
    for (const f of ref.functions) {
      result.functions++;
      const mine = byKey.get(`${f.name}:${f.line}`)?.shift();
      const where = `${rel}:${f.line} ${f.name}`;
      if (!mine) result.functionMismatches.push(`${where}: not found by the front end`);
      else {
        const d = difference(mine.globals, f.globals);
        if (d) result.functionMismatches.push(`${where}: ${d}`);
        else result.matched++;
      }
    }
    for (const rest of byKey.values()) for (const f of rest) result.functionMismatches.push(`${rel}:${f.line} ${f.name}: not a function for symtable`);
  }
  return result;
}

describe('Python scopes against CPython symtable', function () {
  this.timeout(120000);
  let comparison: Comparison;

  before(async function () {
    comparison = await compare();
    const c = comparison;
    // The title carries the counts, so this test is added once they are known.
    this.test!.parent!.addTest(
      new Mocha.Test(`matches symtable on ${c.matched} of ${c.functions} functions in ${c.files} stdlib files`, () => {
        assert.ok(c.functions >= MIN_FUNCTIONS, `only ${c.functions} functions compared`);
        assert.ok(c.functionMismatches.length <= (1 - MIN_FUNCTION_SHARE) * c.functions, `${c.functionMismatches.length} functions differ:\n${c.functionMismatches.join('\n')}`);
      }),
    );
  });

  it('reads the same module declarations and imports in every file', () => {
    assert.ok(comparison.files >= MIN_FILES, `only ${comparison.files} files compared (skipped: ${comparison.skipped.join('; ')})`);
    assert.deepEqual(comparison.moduleMismatches, []);
  });
});
