/**
 * Runs one side's Python features over one sample in the user's interpreter: one worker process
 * per batch (rows decoded once), a time budget per feature, a memory limit, and containment as for
 * the Node worker — a feature that loops, exits the process or kills it gets the failure, and a
 * fresh process takes the rest of the batch. User code's output goes to the worker's stderr, of
 * which only the tail is kept.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunLimits, RunOutcome } from '../runInWorker';
import type { WorkerResult } from '../workerProtocol';
import { decodeValues, encodeFrame, FrameReader, jsonValue } from './pythonWire';

declare const __FEATUREGUARD_PYTHON_WORKER__: string;

/** One feature for the Python worker. */
export interface PythonJob {
  name: string;
  /** Dotted module name of the feature's file, and the function's name in it. */
  module: string;
  function: string;
  kind: string;
  /** Column or schema field a `frame` / `feast` feature returns. */
  output: string;
  examples: Record<string, unknown>[];
  repeatRows: number;
}

export interface PythonBatch {
  interpreter: string;
  /** Module name → its file's path (shown in tracebacks), source, and whether it is a package. */
  modules: Record<string, { path: string; source: string; package: boolean }>;
  rowCount: number;
  columnHeaders: unknown[];
  columnBuffers: Uint8Array[];
  jobs: PythonJob[];
}

const STDERR_TAIL = 8 * 1024;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The worker's source: inlined by the build, read from the file beside this one from source (tests). */
function workerSource(): string {
  if (typeof __FEATUREGUARD_PYTHON_WORKER__ === 'string') return __FEATUREGUARD_PYTHON_WORKER__;
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  return readFileSync(join(__dirname, 'featureguard_worker.py'), 'utf8');
}

/**
 * Runs the batch; `onOutcome` gets each job's outcome as it finishes (in job order). Resolves
 * with every outcome, or with fewer when `signal` aborts.
 */
export async function runPythonBatch(batch: PythonBatch, limits: RunLimits, onOutcome?: (index: number, outcome: RunOutcome) => void, signal?: AbortSignal): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = [];
  const settle = (i: number, o: RunOutcome) => {
    outcomes[i] = o;
    onOutcome?.(i, o);
  };
  // Sources are sent once per process; the columns too.
  const header = { modules: batch.modules, rowCount: batch.rowCount, columns: batch.columnHeaders, jobs: batch.jobs, memoryMb: Math.max(limits.memoryMb * 2, 2048) };
  let start = 0;
  // A scratch folder outside the repository is the worker's working directory: nothing it does
  // by accident lands in the user's tree.
  const cwd = mkdtempSync(join(tmpdir(), 'featureguard-py-'));
  try {
    while (start < batch.jobs.length && !signal?.aborted) {
      const next = await runProcess(batch, { ...header, start }, limits, start, settle, signal);
      if (next <= start) break;
      start = next;
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return outcomes;

  /** Runs one worker from job `from`; returns the index of the first job it did not finish. */
  function runProcess(b: PythonBatch, h: Record<string, unknown>, l: RunLimits, from: number, done: (i: number, o: RunOutcome) => void, s?: AbortSignal): Promise<number> {
    return new Promise<number>((resolvePromise) => {
      const child = spawn(b.interpreter, ['-c', workerSource()], {
        cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        // One thread for numpy's BLAS: two workers share two cores, and threads cost memory.
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8', OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      });
      const reader = new FrameReader();
      let current = from;
      let stderr = '';
      let timer: NodeJS.Timeout | undefined;
      let finished = false;
      let failure: { ok: false; reason: 'timeout' | 'cancelled'; message: string } | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          failure = { ok: false, reason: 'timeout', message: `exceeded timeoutMs (${l.timeoutMs} ms)` };
          child.kill('SIGKILL');
        }, Math.min(l.timeoutMs, MAX_TIMER_MS));
      };
      const end = (nextStart: number) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        s?.removeEventListener('abort', abort);
        resolvePromise(nextStart);
      };
      const abort = () => {
        failure = { ok: false, reason: 'cancelled', message: 'the check was cancelled' };
        child.kill('SIGKILL');
      };
      s?.addEventListener('abort', abort);
      arm();
      child.stdout.on('data', (chunk: Buffer) => {
        for (const frame of reader.push(chunk)) {
          if (frame.header.type === 'started') {
            current = frame.header.index;
            arm();
          } else if (frame.header.type === 'result') {
            const i = frame.header.index as number;
            done(i, outcomeOf(frame.header.result, frame.buffers, b.rowCount));
            current = i + 1;
            if (current >= b.jobs.length) clearTimeout(timer);
          }
        }
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
      });
      child.on('error', (err) => {
        if (current < b.jobs.length) done(current, { ok: false, reason: 'crash', message: `could not start ${b.interpreter}: ${err.message}` });
        end(b.jobs.length);
      });
      child.on('close', (code, signal) => {
        if (current >= b.jobs.length || finished) return end(b.jobs.length);
        if (failure?.reason === 'cancelled') return end(b.jobs.length);
        const outcome: RunOutcome = failure ?? { ok: false, reason: 'crash', message: crashMessage(code, signal, stderr) };
        done(current, outcome);
        end(current + 1);
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(encodeFrame(h, b.columnBuffers));
    });
  }
}

/** The job's reply as the engine's outcome. */
function outcomeOf(result: any, buffers: Buffer[], rowCount: number): RunOutcome {
  if (!result.ok) return result.reason === 'memory' ? { ok: false, reason: 'memory', message: result.message } : { ok: false, reason: 'load', message: result.message };
  const out: WorkerResult = {
    ok: true,
    values: decodeValues(result.values, buffers, rowCount),
    extraValues: (result.extraValues as unknown[]).map(jsonValue),
    errorCount: result.errorCount,
    errors: result.errors,
    nondeterministic: result.nondeterministic,
    runMs: result.runMs,
    ...(result.missingColumns?.length ? { missingColumns: result.missingColumns } : {}),
  };
  return out;
}

/** Why the process ended before the feature answered: its own exit, a signal, or Python's last words. */
function crashMessage(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  const last = stderr.trim().split('\n').filter(Boolean).pop()?.trim();
  if (signal) return `the Python process was killed (${signal})${last ? `: ${last.slice(0, 200)}` : ''}`;
  return `the feature's code ended the Python process (exit code ${code})${last && code !== 0 ? `: ${last.slice(0, 200)}` : ''}`;
}
