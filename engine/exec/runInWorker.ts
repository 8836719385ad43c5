/**
 * Runs a feature bundle over rows in a fresh worker thread, with a time budget and a memory limit.
 * The worker is terminated when the budget runs out (an infinite loop), and a worker that runs out
 * of heap dies alone: FeatureGuard, the CLI and the language server live on.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerFailure, WorkerInput, WorkerResult } from './workerProtocol';

declare const __FEATUREGUARD_WORKER_SOURCE__: string;

export interface RunLimits {
  timeoutMs: number;
  /** Old-generation heap limit of the worker, in MB. */
  memoryMb: number;
}

export type RunOutcome =
  | WorkerResult
  | (WorkerFailure & { reason: 'load' | 'crash' })
  | { ok: false; reason: 'timeout'; message: string }
  | { ok: false; reason: 'memory'; message: string };

export const DEFAULT_MEMORY_MB = 1024;

/** Starts a worker on `input` and settles with its result or with why it failed. */
export function runInWorker(input: WorkerInput, limits: RunLimits): Promise<RunOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const worker = new Worker(__FEATUREGUARD_WORKER_SOURCE__, {
      eval: true,
      workerData: input,
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb },
      stdout: true, // user code's console output must not reach the CLI's stdout (the JSON report)
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    const finish = (outcome: RunOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish({ ok: false, reason: 'timeout', message: `execution exceeded timeoutMs (${limits.timeoutMs} ms)` }),
      limits.timeoutMs,
    );
    worker.on('message', (msg: WorkerResult | WorkerFailure) => finish(msg.ok ? msg : { ...msg, reason: 'load' }));
    worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') finish({ ok: false, reason: 'memory', message: `the feature code ran out of memory (limit ${limits.memoryMb} MB)` });
      else finish({ ok: false, reason: 'crash', message: `the feature code crashed its worker: ${err.message}` });
    });
    worker.on('exit', (code) => finish({ ok: false, reason: 'crash', message: `the worker exited with code ${code} before reporting` }));
  });
}
