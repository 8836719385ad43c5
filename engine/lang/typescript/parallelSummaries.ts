/**
 * Summarizes many modules on two threads: a cold run (no summary cache) parses every file, and the
 * parse is most of its time. `prepareThreads`, called before the files are read, starts a worker
 * thread (summarizeWorker.ts) that loads its own compiler while they are; `summarizeMany` then has
 * the calling thread and the worker take modules from one shared counter, so neither waits for the
 * other and a slow worker start costs nothing but the other core. Below `PARALLEL_FROM` modules,
 * on one core, or with `FEATUREGUARD_PARSE_THREADS=1`, everything is summarized on the calling
 * thread. A worker that fails (it cannot start, runs out of memory) costs nothing either: what it
 * did not return is summarized here. The worker is ended when its batch is done, so nothing of it
 * stays in a long-lived process; until it is given a batch it does not keep the process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ModuleSummary } from '../frontEnd';
import { compilerPath, loadCompiler } from './compiler';
import { summarizeModule } from './summarizeModule';
import type { SummarizeBatch, SummarizeWorkerData, SummarizeWorkerMessage } from './summarizeWorker';

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

/** A worker started by `prepareThreads`, waiting for its batch. */
let prepared: Worker | undefined;
/** Workers that have exited (failed at start, or ended). */
const exited = new WeakSet<Worker>();

/**
 * Called before `count` modules are read and summarized: starts the worker when they will be
 * shared, and loads this thread's compiler (the files are meanwhile read by other processes).
 */
export function prepareThreads(count: number): void {
  if (count >= PARALLEL_FROM && !prepared) {
    const worker = (prepared = startWorker(compilerPath()));
    // Never given its batch (the files could not be read): ended rather than kept.
    setTimeout(() => {
      if (prepared !== worker) return;
      prepared = undefined;
      void worker?.terminate();
    }, 30_000).unref();
  }
  if (count > 0) loadCompiler();
}

export async function summarizeMany(items: readonly { path: string; text: string }[], options: BatchOptions = {}): Promise<ModuleSummary[]> {
  const out = new Array<ModuleSummary | undefined>(items.length);
  lastBatch.modules = items.length;
  lastBatch.byWorker = 0;
  let worker = prepared;
  prepared = undefined;
  if (options.workerCompilerPath !== undefined) {
    void worker?.terminate();
    worker = startWorker(options.workerCompilerPath);
  } else if (!worker && items.length >= PARALLEL_FROM) worker = startWorker(compilerPath());
  if (!worker || items.length < PARALLEL_FROM) {
    void worker?.terminate();
    for (let i = 0; i < items.length; i++) out[i] = summarizeModule(items[i].path, items[i].text);
    return out as ModuleSummary[];
  }
  const next = new SharedArrayBuffer(4);
  const counter = new Int32Array(next);
  const running = worker;
  const finished = new Promise<void>((resolve) => {
    if (exited.has(running)) return resolve();
    running.on('message', (m: SummarizeWorkerMessage) => {
      if (m.done) return resolve();
      for (let k = 0; k < m.indices.length; k++) out[m.indices[k]] = m.summaries[k];
      lastBatch.byWorker += m.indices.length;
    });
    running.on('error', () => resolve());
    running.on('exit', () => resolve());
  });
  running.ref();
  try {
    running.postMessage({ paths: items.map((x) => x.path), texts: items.map((x) => x.text), next } satisfies SummarizeBatch);
  } catch {
    void running.terminate();
  }
  if (options.callerWorks !== false) {
    loadCompiler();
    for (let i = Atomics.add(counter, 0, 1); i < items.length; i = Atomics.add(counter, 0, 1)) out[i] = summarizeModule(items[i].path, items[i].text);
  }
  await finished;
  void running.terminate();
  // Whatever the worker claimed and did not return (it failed): summarized here.
  for (let i = 0; i < items.length; i++) if (!out[i]) out[i] = summarizeModule(items[i].path, items[i].text);
  return out as ModuleSummary[];
}

/** The worker, not keeping the process alive until it has a batch; undefined when it cannot be. */
function startWorker(path: string): Worker | undefined {
  const source = typeof __FEATUREGUARD_SUMMARIZE_WORKER__ === 'string' ? __FEATUREGUARD_SUMMARIZE_WORKER__ : '';
  if (!source || threads() < 2) return undefined;
  try {
    const worker = new Worker(source, { eval: true, workerData: { compilerPath: path } satisfies SummarizeWorkerData, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    // A failure before the batch is noticed when the batch is given (the 'exit' then ends the wait).
    worker.on('error', () => undefined);
    worker.on('exit', () => exited.add(worker));
    worker.unref();
    return worker;
  } catch {
    return undefined;
  }
}

function threads(): number {
  const set = Number(process.env.FEATUREGUARD_PARSE_THREADS);
  if (Number.isInteger(set) && set >= 1) return set;
  return availableParallelism();
}
