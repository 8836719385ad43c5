/**
 * The generators from the command line (bundled to out/bench/generate.js by `node esbuild.mjs --bench`):
 *
 *   node out/bench/generate.js typescript DIR [--modules 500] [--features 50] [--rows 100000] [--seed 1] [--shape short] [--meta FILE]
 *   node out/bench/generate.js python DIR [--modules 500] [--features 50] [--rows 100000] [--seed 1] [--meta FILE]
 */
import { writeFileSync } from 'node:fs';
import type { WorkspaceParams } from '../core/types';
import { generatePythonWorkspace } from './generatePythonWorkspace';
import { generateWorkspace } from './generateWorkspace';

const USAGE = 'usage: node out/bench/generate.js typescript|python DIR [--modules 500] [--features 50] [--rows 100000] [--seed 1] [--shape short] [--meta FILE]';

async function cli(argv: string[]): Promise<void> {
  const [language, ...rest] = argv;
  if (language === '--help' || language === '-h') return console.log(USAGE);
  if (language !== 'typescript' && language !== 'python') throw new Error(USAGE);
  const opts: WorkspaceParams = { modules: 500, features: 50, rows: 100_000, seed: 1 };
  let dir: string | undefined, metaFile: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const m = /^--(modules|features|rows|seed)(?:=(.*))?$/.exec(a);
    if (m) {
      const v = m[2] ?? rest[++i];
      if (v === undefined || !/^\d+$/.test(v)) throw new Error(`--${m[1]} expects a non-negative integer`);
      opts[m[1]] = Number(v);
    } else if (a === '--shape' && language === 'typescript') opts.shape = rest[++i];
    else if (a === '--meta') metaFile = rest[++i];
    else if (a === '--help' || a === '-h') return console.log(USAGE);
    else if (!a.startsWith('--') && dir === undefined) dir = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!dir) throw new Error(USAGE);
  const t0 = performance.now();
  const onProgress = (m: string) => process.stderr.write(`  ${m} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  const meta = language === 'python' ? await generatePythonWorkspace(dir, opts, { onProgress }) : await generateWorkspace(dir, opts, { onProgress });
  if (metaFile) writeFileSync(metaFile, JSON.stringify(meta));
  console.log(`${meta.dir}: ${meta.modules} modules, ${meta.features.length} features, ${meta.lines} lines of ${language === 'python' ? 'Python' : 'TypeScript'} in ${meta.files} files, ${opts.rows} rows; commit ${meta.commit.slice(0, 12)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

cli(process.argv.slice(2)).catch((err: Error) => {
  console.error(`generate: ${err.message}`);
  process.exit(1);
});
