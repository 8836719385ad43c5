/**
 * Runs feature bundles over rows in worker processes, with a time budget per feature and a heap
 * limit. A process, not a worker thread: V8 aborts the whole process on some out-of-memory paths
 * (a large array allocation near the heap limit), and `resourceLimits` on a thread does not stop
 * that — the CLI or the language server would die with the user's code. A worker that runs out of
 * memory, loops forever or crashes dies alone; FeatureGuard reports it and lives on.
 *
 * One worker runs a whole batch of features over one sample (rows are built once), replying after
 * each. When a feature exceeds its budget or kills its worker, that feature gets the failure and a
 * fresh worker takes the rest of the batch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { DATA_FD, decodeReply, dictionaryOf, type WireColumn, type WireValues, type WorkerBatch, type WorkerBatchHead, type WorkerFailure, type WorkerReply, type WorkerResult } from './workerProtocol';

declare const __FEATUREGUARD_WORKER_SOURCE__: string;

export interface RunLimits {
  /** Budget per feature, worker start-up included for the first one. */
  timeoutMs: number;
  /** Old-generation heap limit of the worker, in MB. */
  memoryMb: number;
}

export type RunOutcome =
  | WorkerResult
  | (WorkerFailure & { reason: 'load' | 'crash' })
  | { ok: false; reason: 'timeout'; message: string }
  | { ok: false; reason: 'memory'; message: string }
  | { ok: false; reason: 'cancelled'; message: string };

export const DEFAULT_MEMORY_MB = 1024;

/** The longest delay a Node timer keeps: a longer one fires after 1 ms (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Keeps the end of the worker's stderr: enough to recognize V8's out-of-memory report. */
const STDERR_TAIL = 16 * 1024;

/** Workers started ahead of need, by memory limit and folder (see `prestartWorkers`). */
const idle = new Map<string, ChildProcess[]>();

function startWorker(memoryMb: number, cwd: string): ChildProcess {
  return spawn(process.execPath, [`--max-old-space-size=${memoryMb}`, '-e', __FEATUREGUARD_WORKER_SOURCE__], {
    cwd,
    // Feature code's console output must not reach the CLI's stdout (the JSON report).
    // fd 4 (DATA_FD): the numeric columns' bytes (see WorkerBatchHead).
    stdio: ['ignore', 'ignore', 'pipe', 'ipc', 'pipe'],
    serialization: 'advanced',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

/**
 * Starts `count` workers now, so that their start-up (Node itself and the worker source, ~100 ms)
 * overlaps the snapshot reads and the bundling instead of following them. Idle workers do not
 * keep the process alive. Returns a function that ends those of them no batch took.
 */
export function prestartWorkers(limits: RunLimits, cwd: string, count: number): () => void {
  const key = `${limits.memoryMb}\0${cwd}`;
  const list = idle.get(key) ?? [];
  idle.set(key, list);
  const started: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    const child = startWorker(limits.memoryMb, cwd);
    child.on('error', () => undefined);
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    (child.stderr as { unref?: () => void } | null)?.unref?.();
    (child.stdio[DATA_FD] as { unref?: () => void } | null)?.unref?.();
    list.push(child);
    started.push(child);
  }
  return () => {
    for (const child of started) {
      const at = list.indexOf(child);
      if (at < 0) continue; // taken by a batch, which ends it
      list.splice(at, 1);
      child.kill('SIGKILL');
    }
  };
}

/** A prestarted worker that is still alive, made to count again; undefined when none. */
function takeIdle(memoryMb: number, cwd: string): ChildProcess | undefined {
  const list = idle.get(`${memoryMb}\0${cwd}`);
  while (list?.length) {
    const child = list.shift()!;
    if (child.exitCode !== null || child.signalCode !== null || !child.connected) continue;
    child.ref();
    (child.channel as { ref?: () => void } | undefined)?.ref?.();
    (child.stderr as { ref?: () => void } | null)?.ref?.();
    (child.stdio[DATA_FD] as { ref?: () => void } | null)?.ref?.();
    return child;
  }
  return undefined;
}

/**
 * Runs every job of `batch`; the outcomes are in job order. `onOutcome` receives each as soon as it
 * is known, so a caller can use and drop a feature's values before the batch ends. Aborting
 * `signal` kills the worker at once: the job in progress gets a `cancelled` failure and the jobs
 * after it get no outcome.
 */
export async function runBatch(batch: WorkerBatch, limits: RunLimits, onOutcome?: (index: number, outcome: RunOutcome) => Promise<void> | void, signal?: AbortSignal): Promise<RunOutcome[]> {
  const kept: RunOutcome[] = [];
  let done = 0;
  while (done < batch.jobs.length && !signal?.aborted) {
    const offset = done;
    done += await runUntilFailure({ ...batch, jobs: batch.jobs.slice(offset) }, limits, (i, outcome) => {
      if (onOutcome) return onOutcome(offset + i, outcome);
      kept.push(outcome);
    }, signal);
  }
  return kept;
}

/**
 * Starts one worker on the batch and passes on replies until the batch is done or a job fails the
 * worker (timeout, memory, crash); that job's failure is the last outcome. Resolves with how many
 * jobs got an outcome.
 */
function runUntilFailure(batch: WorkerBatch, limits: RunLimits, onOutcome: (index: number, outcome: RunOutcome) => Promise<void> | void, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    let count = 0;
    let settled = false;
    let stderr = '';
    const child = takeIdle(limits.memoryMb, batch.requireFrom) ?? startWorker(limits.memoryMb, batch.requireFrom);
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => fail({ ok: false, reason: 'timeout', message: `execution exceeded timeoutMs (${limits.timeoutMs} ms)` }), Math.min(limits.timeoutMs, MAX_TIMER_MS));
    };
    const cancel = () => fail({ ok: false, reason: 'cancelled', message: 'the check was cancelled' });
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', cancel);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      resolve(count);
    };
    const record = (outcome: RunOutcome) => onOutcome(count++, outcome);
    /** The worker may run one more job once a result has been consumed. */
    const grant = () => {
      if (!settled && child.connected) child.send({ credit: 1 }, () => undefined);
    };
    /** The job in progress fails with `outcome`; the worker is done for. */
    const fail = (outcome: RunOutcome) => {
      if (settled) return;
      if (count < batch.jobs.length) record(outcome);
      finish();
    };
    arm();
    signal?.addEventListener('abort', cancel, { once: true });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
    });
    child.on('message', (msg: WorkerReply | { started: number }) => {
      if (settled) return;
      // The budget runs while a job runs, not while the worker waits for a credit.
      if ('started' in msg) return arm();
      if (msg.index !== count) return;
      clearTimeout(timer);
      const consumed = record(replyOutcome(msg.result));
      if (count === batch.jobs.length) finish();
      else void Promise.resolve(consumed).then(grant);
    });
    child.on('error', (err) => fail({ ok: false, reason: 'crash', message: `could not start the worker: ${err.message}` }));
    // 'close', not 'exit': 'exit' can arrive before the last IPC messages have been read, which
    // made a worker that replied and exited look like one that died before reporting.
    child.on('close', (code, signal) => {
      if (/heap out of memory|Reached heap limit/.test(stderr)) fail({ ok: false, reason: 'memory', message: `the feature code ran out of memory (limit ${limits.memoryMb} MB)` });
      else fail({ ok: false, reason: 'crash', message: `the worker exited (${signal ?? `code ${code}`}) before reporting${lastLine(stderr)}` });
    });
    sendBatch(child, batch, (err) => fail({ ok: false, reason: 'crash', message: `could not send rows to the worker: ${err.message}` }));
    // Two jobs ahead of the consumer: the worker computes the next feature while the last is checked.
    child.send({ credit: 2 }, () => undefined);
  });
}

/**
 * Sends the batch: its head as an IPC message, the numeric columns' bytes on the data pipe,
 * written from the typed arrays without a copy (see `WorkerBatchHead`).
 */
function sendBatch(child: ChildProcess, batch: WorkerBatch, onError: (err: Error) => void): void {
  const dictionaries = batch.columns.map((c) => (c.values ? dictionaryColumn(c) : undefined));
  const head: WorkerBatchHead = {
    ...batch,
    columns: batch.columns.map((c, k) => (c.numbers ? { name: c.name, piped: true } : dictionaries[k] ? { name: c.name, piped: true, dictionary: dictionaries[k]!.dictionary } : c)),
  };
  child.send(head, (err) => err && onError(err));
  const data = child.stdio[DATA_FD] as Writable | null;
  if (!data) return;
  // A worker that dies before reading everything closes the pipe: its 'close' reports the failure.
  data.on('error', () => undefined);
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (const [k, c] of batch.columns.entries()) {
    if (c.numbers) {
      data.write(bytes(c.numbers));
      data.write(bytes(c.nulls ?? new Uint8Array(batch.rowCount)));
    } else if (dictionaries[k]) data.write(bytes(dictionaries[k]!.codes));
  }
}

/**
 * Dictionaries of the columns sent, by column: base and target batches send the same sample's
 * columns, encoded once. Held as long as the sample holds its column (see `SnapshotLoader`'s
 * `built`); `null`: not encodable.
 */
const encoded = new WeakMap<WireColumn, { dictionary: unknown[]; codes: Int32Array } | null>();

function dictionaryColumn(column: WireColumn): { dictionary: unknown[]; codes: Int32Array } | undefined {
  let found = encoded.get(column);
  if (found === undefined) encoded.set(column, (found = dictionaryOf(column.values!) ?? null));
  return found ?? undefined;
}

/**
 * A reply as an outcome. Feature code that rewrites built-ins (`Object.prototype.then = …` makes
 * every object a thenable) can garble the worker's own reply; that is the feature's failure.
 */
function replyOutcome(result: WorkerReply['result'] | undefined): RunOutcome {
  const r = result as { ok?: unknown; values?: unknown; extraValues?: unknown; message?: unknown } | null | undefined;
  if (r && typeof r === 'object' && r.ok === true && r.values && Array.isArray(r.extraValues)) return { ...(r as WorkerResult), values: decodeReply(r.values as WireValues) };
  if (r && typeof r === 'object' && r.ok === false && typeof r.message === 'string') return { ...(r as WorkerFailure), reason: 'load' };
  return { ok: false, reason: 'crash', message: 'the worker sent a garbled reply: did the feature code change a built-in object (such as Object.prototype)?' };
}

function lastLine(text: string): string {
  const line = text.trim().split('\n').pop();
  return line ? `: ${line.slice(0, 200)}` : '';
}
