/**
 * The second thread of `summarizeMany` (parallelSummaries.ts): a worker thread started from this
 * file's bundle (inlined as a string, like the feature worker). It loads the compiler from the path
 * the parent gives as soon as it starts — while the parent is still reading the files — then waits
 * for the batch and takes the next module from the shared counter until none is left, so the two
 * threads share the work however fast each turns out to be. It posts its summaries in batches
 * (index and summary); an index it claimed but never posted is summarized again by the parent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ModuleSummary } from '../frontEnd';
import { loadCompiler, useCompilerAt } from './compiler';
import { summarizeModule } from './summarizeModule';

export interface SummarizeWorkerData {
  compilerPath: string;
}

export interface SummarizeBatch {
  paths: string[];
  texts: string[];
  /** One Int32: the next index to take, shared with the parent (Atomics.add). */
  next: SharedArrayBuffer;
}

export type SummarizeWorkerMessage = { done: false; indices: number[]; summaries: ModuleSummary[] } | { done: true };

const BATCH = 32;

function run(batch: SummarizeBatch): void {
  const next = new Int32Array(batch.next);
  let indices: number[] = [];
  let summaries: ModuleSummary[] = [];
  for (let i = Atomics.add(next, 0, 1); i < batch.paths.length; i = Atomics.add(next, 0, 1)) {
    indices.push(i);
    summaries.push(summarizeModule(batch.paths[i], batch.texts[i]));
    if (indices.length === BATCH) {
      parentPort!.postMessage({ done: false, indices, summaries } satisfies SummarizeWorkerMessage);
      indices = [];
      summaries = [];
    }
  }
  if (indices.length) parentPort!.postMessage({ done: false, indices, summaries } satisfies SummarizeWorkerMessage);
  parentPort!.postMessage({ done: true } satisfies SummarizeWorkerMessage);
}

useCompilerAt((workerData as SummarizeWorkerData).compilerPath);
loadCompiler();
parentPort!.once('message', (batch: SummarizeBatch) => run(batch));
