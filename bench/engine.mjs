/**
 * The engine's entry points, bundled from source for the in-process measurements (the CLI bundle
 * exports nothing): `runImpact`, the language server's `WorkspaceSession`, the statistics kernel,
 * the Python wire encoder (`encodeColumns`, `encodeFrameParts`), the snapshot resolver
 * (`resolveSnapshot`: folders, globs, remote paths) and the Python front end
 * (`createPythonFrontEnd`, whose `prepare` loads the tree-sitter wasm grammar).
 * Packages stay external: they, and the grammar's .wasm files, resolve from node_modules.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT, WORK } from './paths.mjs';

const require = createRequire(import.meta.url);
let built;
let engine;

/** Builds bench/work/engine.cjs (once per bench process) and returns its path. */
export async function buildEngine() {
  if (built) return built;
  const esbuild = require('esbuild');
  const outfile = join(WORK, 'engine.cjs');
  const entries = [
    "export { runImpact } from './engine/runImpact';",
    "export { neverCancelled } from './engine/errors';",
    "export { numericDrift } from './engine/stats/numericDrift';",
    "export { encodeColumns, encodeFrameParts } from './engine/exec/python/pythonWire';",
    "export { resolveSnapshot } from './engine/data/resolveSnapshot';",
  ];
  if (existsSync(join(ROOT, 'engine/session/workspaceSession.ts'))) entries.push("export { WorkspaceSession } from './engine/session/workspaceSession';");
  if (existsSync(join(ROOT, 'engine/lang/python/pythonFrontEnd.ts'))) entries.push("export { createPythonFrontEnd } from './engine/lang/python/pythonFrontEnd';");
  await esbuild.build({
    stdin: { contents: entries.join('\n'), resolveDir: ROOT, loader: 'ts', sourcefile: 'bench-engine.ts' },
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', packages: 'external',
    define: { __FEATUREGUARD_WORKER_SOURCE__: '""', __FEATUREGUARD_VERSION__: '"bench"' },
    outfile, logLevel: 'warning',
  });
  return (built = outfile);
}

/** The bundled engine's exports, in this process. */
export async function loadEngine() {
  return (engine ??= require(await buildEngine()));
}
