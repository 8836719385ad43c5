/**
 * The engine's entry points, bundled from source for the in-process measurements (the CLI bundle
 * exports nothing): `runImpact`, the language server's `WorkspaceSession`, the statistics kernel,
 * the Python wire encoder (`encodeColumns`, `encodeFrameParts`), the snapshot resolver
 * (`resolveSnapshot`: folders, globs, remote paths; with `samplingOf`, a snapshot's sampling keys as
 * the check passes them) and the Python front end
 * (`createPythonFrontEnd`, whose `prepare` loads the tree-sitter wasm grammar).
 * Packages stay external: they, and the grammar's .wasm files, resolve from node_modules.
 * It is built at run time into a file of its own (not bundled into the bench) because child
 * processes of the bench load it too (bench/families/python: the front end in a fresh process).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as esbuildApi from 'esbuild';
import type { runImpact } from '../../engine/runImpact';
import type { neverCancelled } from '../../engine/errors';
import type { numericDrift } from '../../engine/stats/numericDrift';
import type { checkFeature } from '../../engine/verdict/checkFeature';
import type { doubles } from '../../engine/data/cellValue';
import type { rowsFromColumns } from '../../engine/data/sampleRows';
import type { thresholdsFrom } from '../../engine/checks/thresholds';
import type { forgetDerivedViews } from '../../engine/checks/values';
import type { encodeColumns, encodeFrameParts } from '../../engine/exec/python/pythonWire';
import type { resolveSnapshot } from '../../engine/data/resolveSnapshot';
import type { samplingOf } from '../../engine/data/snapshotLoader';
import type { WorkspaceSession } from '../../engine/session/workspaceSession';
import type { createPythonFrontEnd } from '../../engine/lang/python/pythonFrontEnd';
import { ROOT, WORK } from './paths';

/** The bundled engine's exports (the last two only when their source exists). */
export interface Engine {
  runImpact: typeof runImpact;
  neverCancelled: typeof neverCancelled;
  numericDrift: typeof numericDrift;
  /** A feature's statistics as the check computes them, and what it needs (bench/families/typescript/statistics.ts). */
  checkFeature: typeof checkFeature;
  doubles: typeof doubles;
  rowsFromColumns: typeof rowsFromColumns;
  thresholdsFrom: typeof thresholdsFrom;
  forgetDerivedViews: typeof forgetDerivedViews;
  encodeColumns: typeof encodeColumns;
  encodeFrameParts: typeof encodeFrameParts;
  resolveSnapshot: typeof resolveSnapshot;
  samplingOf: typeof samplingOf;
  WorkspaceSession?: typeof WorkspaceSession;
  createPythonFrontEnd?: typeof createPythonFrontEnd;
}

let built: string | undefined;
let engine: Engine | undefined;

/** Builds bench/work/engine.cjs (once per bench process) and returns its path. */
export async function buildEngine(): Promise<string> {
  if (built) return built;
  const esbuild = require('esbuild') as typeof esbuildApi;
  const outfile = join(WORK, 'engine.cjs');
  const entries = [
    "export { runImpact } from './engine/runImpact';",
    "export { neverCancelled } from './engine/errors';",
    "export { numericDrift } from './engine/stats/numericDrift';",
    "export { checkFeature } from './engine/verdict/checkFeature';",
    "export { doubles } from './engine/data/cellValue';",
    "export { rowsFromColumns } from './engine/data/sampleRows';",
    "export { thresholdsFrom } from './engine/checks/thresholds';",
    "export { forgetDerivedViews } from './engine/checks/values';",
    "export { encodeColumns, encodeFrameParts } from './engine/exec/python/pythonWire';",
    "export { resolveSnapshot } from './engine/data/resolveSnapshot';",
    "export { samplingOf } from './engine/data/snapshotLoader';",
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
export async function loadEngine(): Promise<Engine> {
  return (engine ??= require(await buildEngine()) as Engine);
}
