/**
 * Runs a feature bundle over rows in a fresh worker process, with a time budget and a heap limit.
 * A process, not a worker thread: V8 aborts the whole process on some out-of-memory paths (a large
 * array allocation near the heap limit), and `resourceLimits` on a thread does not stop that — the
 * CLI or the language server would die with the user's code. A child process that runs out of
 * memory, loops forever or crashes dies alone; FeatureGuard reports it and lives on.
 */
import { spawn } from 'node:child_process';
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

/** Keeps the end of the worker's stderr: enough to recognize V8's out-of-memory report. */
const STDERR_TAIL = 16 * 1024;

/** Starts a worker on `input` and settles with its result or with why it failed. */
export function runInWorker(input: WorkerInput, limits: RunLimits): Promise<RunOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let stderr = '';
    const child = spawn(process.execPath, [`--max-old-space-size=${limits.memoryMb}`, '-e', __FEATUREGUARD_WORKER_SOURCE__], {
      cwd: input.requireFrom,
      // Feature code's console output must not reach the CLI's stdout (the JSON report).
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const finish = (outcome: RunOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish({ ok: false, reason: 'timeout', message: `execution exceeded timeoutMs (${limits.timeoutMs} ms)` }),
      limits.timeoutMs,
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
    });
    child.on('message', (msg: WorkerResult | WorkerFailure) => finish(msg.ok ? msg : { ...msg, reason: 'load' }));
    child.on('error', (err) => finish({ ok: false, reason: 'crash', message: `could not start the worker: ${err.message}` }));
    child.on('exit', (code, signal) => {
      if (/heap out of memory|Reached heap limit/.test(stderr)) {
        finish({ ok: false, reason: 'memory', message: `the feature code ran out of memory (limit ${limits.memoryMb} MB)` });
      } else {
        finish({ ok: false, reason: 'crash', message: `the worker exited (${signal ?? `code ${code}`}) before reporting${lastLine(stderr)}` });
      }
    });
    child.send(input, (err) => {
      if (err) finish({ ok: false, reason: 'crash', message: `could not send rows to the worker: ${err.message}` });
    });
  });
}

function lastLine(text: string): string {
  const line = text.trim().split('\n').pop();
  return line ? `: ${line.slice(0, 200)}` : '';
}
