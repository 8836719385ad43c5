/**
 * The second thread of `summarizeMany` (parallelSummaries.ts): a worker thread started from this
 * file's bundle (inlined as a string, like the feature worker). It loads the compiler from the path
 * the parent gives, then takes the next module from the shared counter until none is left, so the
 * two threads share the work however fast each turns out to be. It posts its summaries in batches
 * (index and summary); an index it claimed but never posted is summarized again by the parent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ModuleSummary } from '../frontEnd';
import { useCompilerAt } from './compiler';
import { summarizeModule } from './summarizeModule';

export interface SummarizeWorkerData {
  compilerPath: string;
  paths: string[];
  texts: string[];
  /** One Int32: the next index to take, shared with the parent (Atomics.add). */
  next: SharedArrayBuffer;
}

export type SummarizeWorkerMessage = { done: false; indices: number[]; summaries: ModuleSummary[] } | { done: true };

const BATCH = 32;

function run(data: SummarizeWorkerData): void {
  useCompilerAt(data.compilerPath);
  const next = new Int32Array(data.next);
  let indices: number[] = [];
  let summaries: ModuleSummary[] = [];
  for (let i = Atomics.add(next, 0, 1); i < data.paths.length; i = Atomics.add(next, 0, 1)) {
    indices.push(i);
    summaries.push(summarizeModule(data.paths[i], data.texts[i]));
    if (indices.length === BATCH) {
      parentPort!.postMessage({ done: false, indices, summaries } satisfies SummarizeWorkerMessage);
      indices = [];
      summaries = [];
    }
  }
  if (indices.length) parentPort!.postMessage({ done: false, indices, summaries } satisfies SummarizeWorkerMessage);
  parentPort!.postMessage({ done: true } satisfies SummarizeWorkerMessage);
}

run(workerData as SummarizeWorkerData);
