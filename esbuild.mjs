// One build for every bundle: the sandbox worker (inlined as a string into the others), the CLI,
// the tests (`--tests`) and the benchmark (`--bench`). `--watch` rebuilds on change, `--production` minifies.
import * as esbuild from 'esbuild';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeParserOnlyCompiler } from './scripts/parserOnlyCompiler.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const withTests = process.argv.includes('--tests');
const withBench = process.argv.includes('--bench');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's UMD entry requires files by computed names; its ESM entry bundles cleanly.
  mainFields: ['module', 'main'],
};

// The worker that runs user feature code is inlined into every bundle that starts one, so no
// bundle has to find a sibling file at run time.
async function buildWorkerSource() {
  const result = await esbuild.build({ ...common, sourcemap: false, entryPoints: ['engine/exec/worker.ts'], write: false });
  return result.outputFiles[0].text;
}

// The model worker (ONNX Runtime in a process of its own) is inlined the same way; ONNX Runtime
// stays outside it (a native binding found beside its own files) and is resolved by the parent.
async function buildModelWorkerSource() {
  const result = await esbuild.build({ ...common, sourcemap: false, entryPoints: ['engine/models/modelWorker.ts'], write: false, external: ['onnxruntime-node'] });
  return result.outputFiles[0].text;
}

function testEntries(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'fixtures') out.push(...testEntries(p)); }
    else if (name.endsWith('.test.ts') || name === 'helpers.ts') out.push(p);
  }
  return out;
}

/**
 * The bundles bundle user feature code with esbuild at run time. Its JavaScript API and this
 * platform's native binary are copied to dist/node_modules so the VSIX (which carries no
 * node_modules of its own) resolves them from dist/server.js and dist/cli.js. ONNX Runtime (the
 * model worker's, engine/models/modelHost.ts) goes the same way: its JavaScript, its
 * onnxruntime-common dependency and this platform's binding only (45 MB of its 288).
 */
function copyNativeRuntimes() {
  const platformPkg = `@esbuild/${process.platform}-${process.arch}`;
  for (const pkg of ['esbuild', platformPkg, 'onnxruntime-node', 'onnxruntime-common']) {
    rmSync(join('dist/node_modules', pkg), { recursive: true, force: true });
  }
  for (const pkg of ['esbuild', platformPkg]) cpSync(join('node_modules', pkg), join('dist/node_modules', pkg), { recursive: true });
  const ort = 'node_modules/onnxruntime-node';
  const binding = `bin/napi-v6/${process.platform}/${process.arch}`;
  for (const part of ['package.json', 'dist', binding]) cpSync(join(ort, part), join('dist', ort, part), { recursive: true });
  for (const part of ['package.json', 'dist/cjs']) cpSync(join('node_modules/onnxruntime-common', part), join('dist/node_modules/onnxruntime-common', part), { recursive: true });
}

async function main() {
  const [workerSource, modelWorkerSource] = await Promise.all([buildWorkerSource(), buildModelWorkerSource()]);
  const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
  // The Python worker (stdlib only) is passed to the interpreter as `python -c <source>`.
  const pythonWorker = readFileSync('engine/exec/python/featureguard_worker.py', 'utf8');
  const define = { __FEATUREGUARD_WORKER_SOURCE__: JSON.stringify(workerSource), __FEATUREGUARD_VERSION__: JSON.stringify(version), __FEATUREGUARD_PYTHON_WORKER__: JSON.stringify(pythonWorker), __FEATUREGUARD_MODEL_WORKER__: JSON.stringify(modelWorkerSource) };
  // The CLI and the server carry their dependencies, so the VSIX and the pre-commit hook need no
  // `npm install`. Two things stay outside: esbuild (a native binary per platform) and the
  // TypeScript compiler's parser (scripts/parserOnlyCompiler.mjs: 0.39 MB of the compiler's 9.1),
  // placed beside the bundles and loaded only by a run that parses (engine/lang/typescript/compiler.ts).
  mkdirSync('dist', { recursive: true });
  writeParserOnlyCompiler('node_modules/@ts-morph/common/dist/typescript.js', 'dist/typescript.js');
  // The Python front end's parser: tree-sitter's runtime and the grammar, both WebAssembly, loaded
  // from beside the bundles (engine/lang/python/treeSitter.ts).
  copyFileSync('node_modules/web-tree-sitter/web-tree-sitter.wasm', 'dist/web-tree-sitter.wasm');
  copyFileSync('node_modules/tree-sitter-python/tree-sitter-python.wasm', 'dist/tree-sitter-python.wasm');
  const builds = [
    {
      ...common, define,
      entryPoints: { 'cli-main': 'cli/main.ts', server: 'server/serverEntry.ts' },
      outdir: 'dist',
      external: ['esbuild', 'esbuild-wasm', 'onnxruntime-node', 'onnxruntime-web'],
    },
    {
      // The command (`bin`): a few lines that load cli-main.js through V8's code cache.
      ...common,
      entryPoints: { cli: 'cli/cliEntry.ts' },
      outdir: 'dist',
      banner: { js: '#!/usr/bin/env node' },
    },
    {
      // The AWS SDK (1.3 MB bundled; ~15 ms at every start) is read only when a snapshot is in
      // S3: a bundle of its own beside the others, loaded lazily (engine/data/s3Source.ts).
      ...common,
      stdin: { contents: "module.exports = require('@aws-sdk/client-s3');", resolveDir: '.', loader: 'js', sourcefile: 'aws-s3-entry.js' },
      outfile: 'dist/aws-s3.js',
    },
    {
      ...common,
      entryPoints: { extension: 'client/extension.ts' },
      outdir: 'dist',
      external: ['vscode'],
    },
  ];
  if (production) copyNativeRuntimes();
  if (withTests) {
    rmSync('out', { recursive: true, force: true });
    builds.push({ ...common, define, entryPoints: testEntries('test'), outdir: 'out/test', outbase: 'test', packages: 'external' });
  }
  if (withBench) {
    // The benchmark (`npm run bench`): out/bench/run.js (bench/main.ts), the generators' command
    // line (out/bench/generate.js) and the floor's minimal check script (out/bench/floor.js, which
    // carries its libraries like the CLI does). Not under dist/: the VSIX and the npm package
    // ship dist/. Rebuilt whole each time (a test build's rm of out/ leaves it alone otherwise).
    rmSync('out/bench', { recursive: true, force: true });
    builds.push({ ...common, entryPoints: { run: 'bench/main.ts', generate: 'bench/generators/generateCli.ts' }, outdir: 'out/bench', packages: 'external' });
    builds.push({ ...common, entryPoints: { floor: 'bench/floor/floorCheck.ts' }, outdir: 'out/bench', external: ['esbuild'] });
  }
  if (watch) {
    for (const b of builds) await (await esbuild.context(b)).watch();
  } else {
    await Promise.all(builds.map((b) => esbuild.build(b)));
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
