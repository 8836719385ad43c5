// One build for every bundle: the sandbox worker (inlined as a string into the others), the CLI,
// and the tests. `--watch` rebuilds on change, `--production` minifies.
import * as esbuild from 'esbuild';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const withTests = process.argv.includes('--tests');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

// The worker that runs user feature code is inlined into every bundle that starts one, so no
// bundle has to find a sibling file at run time.
async function buildWorkerSource() {
  const result = await esbuild.build({ ...common, sourcemap: false, entryPoints: ['engine/exec/worker.ts'], write: false });
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

async function main() {
  const workerSource = await buildWorkerSource();
  const define = { __FEATUREGUARD_WORKER_SOURCE__: JSON.stringify(workerSource) };
  const builds = [
    {
      ...common, define,
      entryPoints: { cli: 'cli/main.ts', server: 'server/serverEntry.ts' },
      outdir: 'dist',
      packages: 'external',
      banner: { js: '#!/usr/bin/env node' },
    },
  ];
  if (withTests) {
    rmSync('out', { recursive: true, force: true });
    builds.push({ ...common, define, entryPoints: testEntries('test'), outdir: 'out/test', outbase: 'test', packages: 'external' });
  }
  if (watch) {
    for (const b of builds) await (await esbuild.context(b)).watch();
  } else {
    await Promise.all(builds.map((b) => esbuild.build(b)));
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
