/**
 * The floor of a one-feature `featureguard check`: a hand-written minimal script doing the same
 * work with the same libraries, and nothing else. Bundled on its own (out/bench/floor.js, its
 * libraries inside, esbuild external — as dist/cli.js is built) and run as a process of its own by
 * bench/families/floor.ts:
 *
 *   node floor.js REPO FILE EXPORT COLUMN SNAPSHOT SAMPLE_ROWS INPUTS
 *
 * (INPUTS: the row fields the feature reads, comma-separated). Side by side: read the inputs and
 * the stored COLUMN of the Parquet SNAPSHOT (hyparquet + hyparquet-compressors, the first
 * SAMPLE_ROWS rows — the benchmark's snapshot has exactly that many, so they are the check's
 * sample), bundle FILE#EXPORT as committed (HEAD: the files `git diff --name-only HEAD` names read
 * with `git show`, every other one from disk, where it is the same) and as in the working tree
 * (esbuild, in memory both); then run both versions over one row object per
 * row, one after the other in this process, and compare each with the stored column. It prints
 * the counts and where its own time went (ms since the process started, then per step) as JSON.
 * No caches, no worker processes, no statistics beyond the comparison.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

type Row = Record<string, unknown>;
type Feature = (row: Row) => unknown;

const run = (cmd: string, args: string[], cwd: string) => new Promise<string>((resolve, reject) => execFile(cmd, args, { cwd, maxBuffer: 1 << 26 }, (err, out) => (err ? reject(err) : resolve(out))));

/**
 * The files whose committed text differs from the working tree's (`git diff --name-only HEAD`),
 * with their committed text: the HEAD version of every other file is the one on disk.
 */
async function committedChanges(repo: string): Promise<Map<string, string>> {
  const names = (await run('git', ['diff', '--name-only', '--no-renames', 'HEAD', '--'], repo)).split('\n').filter(Boolean);
  const texts = await Promise.all(names.map((n) => run('git', ['show', `HEAD:${n}`], repo).catch(() => undefined)));
  return new Map(names.flatMap((n, i): [string, string][] => (texts[i] === undefined ? [] : [[join(repo, n), texts[i]!]])));
}

/**
 * FILE#EXPORT bundled to CommonJS by esbuild, in memory: from the working tree, or (`head`) with
 * the committed text of the files that differ from it.
 */
async function bundle(repo: string, file: string, exportName: string, head?: Map<string, string>): Promise<string> {
  const entry = `export { ${exportName} as feature } from './${file}';`;
  const plugins: esbuild.Plugin[] = [];
  if (head?.size) {
    const escape = (p: string) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    plugins.push({
      name: 'head',
      setup(build) {
        build.onLoad({ filter: new RegExp(`^(${[...head.keys()].map(escape).join('|')})$`) }, (args) => ({ contents: head.get(args.path)!, loader: 'ts' }));
      },
    });
  }
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: repo, loader: 'ts', sourcefile: '<stdin>' },
    bundle: true, write: false, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'silent', plugins,
  });
  return result.outputFiles[0].text;
}

function load(code: string): Feature {
  const module = { exports: {} as { feature?: Feature } };
  new Function('module', 'exports', 'require', code)(module, module.exports, require);
  if (typeof module.exports.feature !== 'function') throw new Error('the bundle exports no function');
  return module.exports.feature;
}

/** The first `rows` values of `columns` (name → values), read column by column as hyparquet hands them out. */
async function readColumns(path: string, columns: string[], rows: number): Promise<{ n: number; values: Map<string, unknown[]> }> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const n = Math.min(rows, Number(metadata.num_rows));
  const values = new Map<string, unknown[]>(columns.map((c) => [c, new Array(n)]));
  await parquetRead({
    file, metadata, columns, compressors, rowStart: 0, rowEnd: n,
    onChunk: ({ columnName, columnData, rowStart }) => {
      const out = values.get(columnName)!;
      for (let i = 0; i < columnData.length && rowStart + i < n; i++) out[rowStart + i] = columnData[i];
    },
  });
  return { n, values };
}

/** Values that differ from the stored ones (relative tolerance 1e-9; null and non-finite differ). */
function mismatches(values: Float64Array, stored: unknown[]): number {
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const s = stored[i];
    const v = values[i];
    if (typeof s !== 'number' || !Number.isFinite(v) || Math.abs(v - s) > 1e-9 * Math.max(1, Math.abs(s))) k++;
  }
  return k;
}

async function main(): Promise<void> {
  const startedMs = performance.now(); // since the process started: node + this bundle loaded
  const [repo, file, exportName, column, snapshot, sampleRows, inputs] = process.argv.slice(2);
  const fields = inputs.split(',');
  const t0 = performance.now();
  const timed = async <T>(p: Promise<T>): Promise<[T, number]> => [await p, performance.now() - t0];
  const [[data, readMs], [baseCode, baseMs], [targetCode, targetMs]] = await Promise.all([
    timed(readColumns(join(repo, snapshot), [...fields, column], Number(sampleRows))),
    timed(committedChanges(repo).then((head) => bundle(repo, file, exportName, head))),
    timed(bundle(repo, file, exportName)),
  ]);
  const t1 = performance.now();
  const base = load(baseCode), target = load(targetCode);
  const cols = fields.map((f) => data.values.get(f)!);
  const run = (fn: Feature) => {
    const out = new Float64Array(data.n);
    for (let i = 0; i < data.n; i++) {
      const row: Row = {};
      for (let j = 0; j < fields.length; j++) row[fields[j]] = cols[j][i];
      out[i] = Number(fn(row));
    }
    return out;
  };
  const baseValues = run(base);
  const targetValues = run(target);
  const t2 = performance.now();
  const stored = data.values.get(column)!;
  const result = { rows: data.n, baseMismatches: mismatches(baseValues, stored), targetMismatches: mismatches(targetValues, stored) };
  const t3 = performance.now();
  const timings = { start: startedMs, read: readMs, bundle: Math.max(baseMs, targetMs), readAndBundle: t1 - t0, execute: t2 - t1, compare: t3 - t2, total: t3 };
  process.stdout.write(JSON.stringify({ ...result, timings }) + "\n");
}

main().catch((err: Error) => {
  console.error(`floor: ${err.stack ?? err}`);
  process.exit(1);
});
