/**
 * Summarizes many modules on two threads: a cold run (no summary cache) parses every file, and the
 * parse is most of its time. The calling thread starts at once; a worker thread
 * (summarizeWorker.ts) loads its own compiler meanwhile and then takes modules from the same
 * shared counter, so neither waits for the other and a slow worker start costs nothing but the
 * other core. Below `PARALLEL_FROM` modules, on one core, or with `FEATUREGUARD_PARSE_THREADS=1`,
 * everything is summarized on the calling thread. A worker that fails (it cannot start, runs out
 * of memory) costs nothing either: what it did not return is summarized here. The worker is ended
 * when the batch is done, so nothing of it stays in a long-lived process.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ModuleSummary } from '../frontEnd';
import { compilerPath, loadCompiler } from './compiler';
import { summarizeModule } from './summarizeModule';
import type { SummarizeWorkerData, SummarizeWorkerMessage } from './summarizeWorker';

declare const __FEATUREGUARD_SUMMARIZE_WORKER__: string;

/** Fewer modules than this are summarized on the calling thread: a worker start (~60 ms with its compiler) would not pay. */
export const PARALLEL_FROM = 64;

/** How the last batch was shared (for tests and the benchmark): modules summarized by the worker thread. */
export const lastBatch = { modules: 0, byWorker: 0 };

/** For tests: the calling thread leaves every module to the worker; another compiler file for the worker. */
export interface BatchOptions {
  callerWorks?: boolean;
  workerCompilerPath?: string;
}

export async function summarizeMany(items: readonly { path: string; text: string }[], options: BatchOptions = {}): Promise<ModuleSummary[]> {
  const out = new Array<ModuleSummary | undefined>(items.length);
  lastBatch.modules = items.length;
  lastBatch.byWorker = 0;
  const source = typeof __FEATUREGUARD_SUMMARIZE_WORKER__ === 'string' ? __FEATUREGUARD_SUMMARIZE_WORKER__ : '';
  if (items.length < PARALLEL_FROM || !source || threads() < 2) {
    for (let i = 0; i < items.length; i++) out[i] = summarizeModule(items[i].path, items[i].text);
    return out as ModuleSummary[];
  }
  const next = new SharedArrayBuffer(4);
  const counter = new Int32Array(next);
  const data: SummarizeWorkerData = { compilerPath: options.workerCompilerPath ?? compilerPath(), paths: items.map((x) => x.path), texts: items.map((x) => x.text), next };
  let worker: Worker | undefined;
  const finished = new Promise<void>((resolve) => {
    try {
      worker = new Worker(source, { eval: true, workerData: data, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    } catch {
      return resolve();
    }
    worker.on('message', (m: SummarizeWorkerMessage) => {
      if (m.done) return resolve();
      for (let k = 0; k < m.indices.length; k++) out[m.indices[k]] = m.summaries[k];
      lastBatch.byWorker += m.indices.length;
    });
    worker.on('error', () => resolve());
    worker.on('exit', () => resolve());
  });
  if (options.callerWorks !== false) {
    loadCompiler();
    for (let i = Atomics.add(counter, 0, 1); i < items.length; i = Atomics.add(counter, 0, 1)) out[i] = summarizeModule(items[i].path, items[i].text);
  }
  await finished;
  void worker?.terminate();
  // Whatever the worker claimed and did not return (it failed): summarized here.
  for (let i = 0; i < items.length; i++) if (!out[i]) out[i] = summarizeModule(items[i].path, items[i].text);
  return out as ModuleSummary[];
}

function threads(): number {
  const set = Number(process.env.FEATUREGUARD_PARSE_THREADS);
  if (Number.isInteger(set) && set >= 1) return set;
  return availableParallelism();
}
