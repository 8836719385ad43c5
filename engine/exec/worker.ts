/**
 * The worker process that runs one version of a feature's code over the sampled rows. It is
 * bundled on its own and inlined as a string into the engine (see esbuild.mjs), started with
 * `node -e`, and receives its input as one IPC message and, for numeric columns, the bytes on its
 * data pipe. Everything user code can do wrong is caught here and reported as data: a throw on a
 * row, a thrown non-Error, `process.exit`, a rejected promise, a value that is no feature value (a
 * function, a symbol), an exception thrown after the function returned (in a timer or an unhandled
 * promise). Time and memory limits are enforced by the parent, which kills the process.
 */
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { DATA_FD, encodeValues, undictionary, type RowError, type WireColumn, type WorkerBatch, type WorkerBatchHead, type WorkerFailure, type WorkerJob, type WorkerReply, type WorkerResult } from './workerProtocol';

const MAX_REPORTED_ERRORS = 5;

/** Loads the bundle and builds the rows once, then runs the jobs in order, replying after each. */
async function runBatch(batch: WorkerBatch, reply: (r: WorkerReply) => Promise<void>): Promise<void> {
  guardProcessExit();
  catchAsyncErrors();
  let exports: Record<string, unknown>;
  try {
    exports = loadBundle(batch);
  } catch (err) {
    const failure: WorkerFailure = { ok: false, message: `the feature module failed to load: ${describeError(err)}` };
    for (let index = 0; index < batch.jobs.length; index++) await reply({ index, result: failure });
    return;
  }
  const rows = buildRows(batch.columns, batch.rowCount);
  for (const [index, job] of batch.jobs.entries()) {
    // The parent hands out credits as it consumes results: results must not pile up in it.
    await acquireCredit();
    await send({ started: index });
    const fn = exports[job.exportKey];
    let result: WorkerResult | WorkerFailure =
      typeof fn === 'function'
        ? await run(fn as (arg: unknown) => unknown, job, rows).catch((err) => ({ ok: false as const, message: describeError(err) }))
        : { ok: false, message: `the feature module failed to load: the export is ${fn === undefined ? 'missing' : `a ${typeof fn}, not a function`}` };
    // Let timers and promise rejections the feature left behind fire now, so that they are
    // blamed on this feature and not on the next one. A timer turn costs a millisecond, so it is
    // waited for only when the feature left a timer; rejections surface within an immediate.
    const timers = process.getActiveResourcesInfo().includes('Timeout');
    await new Promise<void>((resolve) => (timers ? realSetTimeout(resolve, 0) : realSetImmediate(resolve)));
    if (asyncError !== undefined) {
      result = { ok: false, message: `the feature code threw after returning (in a timer, callback or unhandled promise): ${asyncError}` };
      asyncError = undefined;
    }
    await reply({ index, result: result.ok ? { ...result, values: encodeValues(result.values) as unknown[] } : result });
  }
}

async function run(fn: (arg: unknown) => unknown, input: WorkerJob, rows: Record<string, unknown>[]): Promise<WorkerResult> {
  const errors: RowError[] = [];
  let errorCount = 0;
  const onError = (index: number, err: unknown) => {
    errorCount++;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ index, message: describeError(err) });
  };
  // The first rows run twice: once before the timed pass, which warms the JIT so that base and
  // target are timed alike (perf.slowdown), and once inside it, to detect non-determinism.
  const first = input.repeatRows > 0 ? await evaluate(fn, input, rows.slice(0, input.repeatRows), () => undefined) : [];
  const started = performance.now();
  const values = await evaluate(fn, input, rows, onError);
  const runMs = performance.now() - started;

  const extraValues = await evaluate(fn, { ...input, kind: 'row' }, input.extraRows, () => undefined);
  let nondeterministic = 0;
  for (let i = 0; i < first.length; i++) if (!sameValue(values[i], first[i])) nondeterministic++;
  const missingColumns = await missingReads(fn, input, rows.slice(0, MISSING_READ_ROWS));
  return { ok: true, values, extraValues, errorCount, errors, nondeterministic, runMs, ...(missingColumns.length ? { missingColumns } : {}) };
}

/** Rows watched for reads of absent columns: a read that depends on the row is seen within a few. */
const MISSING_READ_ROWS = 20;

/**
 * The properties the function reads from rows that the rows do not have: a column the snapshot
 * lacks (renamed in the store, or a typo) reads as `undefined` and silently becomes NaN or a
 * default. Runs after the timed pass, on a few rows wrapped in proxies, so that the proxies cannot
 * slow the compiled code the timing measures. Inherited names (`toString`, …) are not columns.
 */
async function missingReads(fn: (arg: unknown) => unknown, input: WorkerJob, rows: Record<string, unknown>[]): Promise<string[]> {
  const missing = new Set<string>();
  const handler: ProxyHandler<Record<string, unknown>> = {
    get(target, key, receiver) {
      if (typeof key === 'string' && !(key in target)) missing.add(key);
      return Reflect.get(target, key, receiver);
    },
  };
  await evaluate(fn, input, rows.map((r) => new Proxy(r, handler)), () => undefined);
  return [...missing].sort().slice(0, 10);
}

/** Runs the function over rows; a row that throws leaves `undefined` and is reported. */
async function evaluate(fn: (arg: unknown) => unknown, input: WorkerJob, rows: Record<string, unknown>[], onError: (index: number, err: unknown) => void): Promise<unknown[]> {
  const values: unknown[] = new Array(rows.length);
  if (input.kind === 'batch') {
    try {
      let out = fn(rows);
      if (isThenable(out)) out = await out;
      if (!Array.isArray(out)) throw new Error(`a batch feature must return an array, got ${typeof out}`);
      if (out.length !== rows.length) throw new Error(`a batch feature must return one value per row: got ${out.length} for ${rows.length} rows`);
      for (let i = 0; i < rows.length; i++) values[i] = pick(out[i], input.output);
    } catch (err) {
      for (let i = 0; i < rows.length; i++) onError(i, err);
    }
    return values;
  }
  for (let i = 0; i < rows.length; i++) {
    try {
      let v = fn(rows[i]);
      if (isThenable(v)) v = await v;
      values[i] = pick(v, input.output);
    } catch (err) {
      onError(i, err);
    }
  }
  return values;
}

/** Applies `output` (take one property of an object result) and maps `undefined` to null. */
function pick(v: unknown, output: string | undefined): unknown {
  if (output !== undefined) {
    if (v === null || typeof v !== 'object') throw new Error(`"output": "${output}" is set but the function returned ${v === null ? 'null' : typeof v}`);
    v = (v as Record<string, unknown>)[output];
  }
  if (v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'function' || typeof v === 'symbol') throw new Error(`the function returned a ${typeof v}, not a feature value`);
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) throw new Error('the function returned an object; set "output" to the property that holds the feature value');
  return v;
}

function loadBundle(batch: WorkerBatch): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  const req = createRequire(join(batch.requireFrom, 'package.json'));
  new Function('module', 'exports', 'require', batch.code)(module, module.exports, req);
  return module.exports;
}

/**
 * Builds the row objects from the columns. A generated constructor assigns every column at once,
 * which gives rows V8's fast in-object layout; adding fifty properties one by one to `{}` turns
 * them into dictionaries, which costs seconds of garbage collection on 100k rows. The rows still
 * look like plain objects: own enumerable properties, `Object.prototype` as prototype.
 */
function buildRows(columns: WireColumn[], rowCount: number): Record<string, unknown>[] {
  const params: string[] = [];
  const args: unknown[] = [];
  const assignments = columns.map((col, k) => {
    const key = JSON.stringify(col.name);
    if (col.numbers) {
      params.push(`n${k}`, `m${k}`);
      args.push(col.numbers, col.nulls ?? new Uint8Array(rowCount));
      return `this[${key}] = m${k}[i] ? null : n${k}[i];`;
    }
    params.push(`v${k}`);
    args.push(col.values);
    return `this[${key}] = v${k}[i];`;
  });
  const Row = new Function(...params, `return function Row(i) {\n${assignments.join('\n')}\n};`)(...args) as new (i: number) => Record<string, unknown>;
  Row.prototype = Object.prototype;
  const rows: Record<string, unknown>[] = new Array(rowCount);
  for (let i = 0; i < rowCount; i++) rows[i] = new Row(i);
  return rows;
}

/** `process.exit` in feature code becomes an error on the row that called it, not a dead worker. */
function guardProcessExit(): void {
  process.exit = ((code?: number) => {
    throw new Error(`feature code called process.exit(${code ?? ''})`);
  }) as typeof process.exit;
}

/** The first exception thrown outside a call (a timer, an unhandled rejection) since the last job. */
let asyncError: string | undefined;

/**
 * An exception thrown after the feature function returned would kill the worker, and the parent
 * would blame whichever feature runs next. It is recorded instead and charged to the current job.
 */
function catchAsyncErrors(): void {
  const record = (err: unknown) => {
    asyncError ??= describeError(err);
  };
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
}

/** Longest error text reported: a library may put a whole buffer in its message. */
const MAX_MESSAGE = 500;

/** One line describing a thrown value; never throws, whatever the value's getters do. */
function describeError(err: unknown): string {
  let text: string;
  try {
    if (err instanceof Error) text = `${err.name === 'Error' ? '' : err.name + ': '}${err.message}`;
    else {
      let shown: string;
      try {
        shown = typeof err === 'string' ? JSON.stringify(err) : String(JSON.stringify(err) ?? err);
      } catch {
        shown = String(err);
      }
      text = `threw a non-Error value: ${shown}`;
    }
  } catch {
    text = `threw a value that cannot be printed (${Object.prototype.toString.call(err)})`;
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

// Kept before feature code can replace them (see guardProcessExit).
const exit = process.exit.bind(process);
const realSetTimeout = setTimeout;
const realSetImmediate = setImmediate;
const send = (message: WorkerReply | { started: number }) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
let credits = 0;
let creditWaiter: (() => void) | undefined;
const acquireCredit = async () => {
  while (credits === 0) await new Promise<void>((resolve) => (creditWaiter = resolve));
  credits--;
};
process.on('message', (message: WorkerBatchHead | { credit: number }) => {
  if ('credit' in message) {
    credits += message.credit;
    creditWaiter?.();
    creditWaiter = undefined;
    return;
  }
  receiveColumns(message).then(
    (batch) => runBatch(batch, send),
  ).then(
    () => exit(0),
    () => exit(1),
  );
});

/**
 * The batch with its numeric columns read from the data pipe (`DATA_FD`): each column's float64
 * values, then its null mask, in head order (see `WorkerBatchHead`).
 */
function receiveColumns(head: WorkerBatchHead): Promise<WorkerBatch> {
  const n = head.rowCount;
  const codes = head.columns.map((c) => ('piped' in c && c.dictionary ? new Int32Array(n) : undefined));
  const columns: WireColumn[] = head.columns.map((c, k) => ('piped' in c ? (codes[k] ? { name: c.name } : { name: c.name, numbers: new Float64Array(n), nulls: new Uint8Array(n) }) : c));
  const targets: Uint8Array[] = columns.flatMap((c, k) => (codes[k] ? [new Uint8Array(codes[k]!.buffer)] : c.numbers && c.nulls ? [new Uint8Array(c.numbers.buffer), c.nulls] : []));
  const batch: WorkerBatch = { ...head, columns };
  // Dictionary columns become their values once every code is in.
  const decode = () => {
    for (const [k, c] of head.columns.entries()) if ('piped' in c && c.dictionary) columns[k].values = undictionary(c.dictionary, codes[k]!);
    return batch;
  };
  if (targets.every((t) => t.length === 0)) return Promise.resolve(decode());
  return new Promise((resolve, reject) => {
    const input = new Socket({ fd: DATA_FD, readable: true, writable: false });
    let k = 0;
    let at = 0;
    input.on('data', (chunk: Buffer) => {
      let from = 0;
      while (from < chunk.length && k < targets.length) {
        const take = Math.min(chunk.length - from, targets[k].length - at);
        targets[k].set(chunk.subarray(from, from + take), at);
        from += take;
        at += take;
        if (at === targets[k].length) k++, (at = 0);
        while (k < targets.length && targets[k].length === 0) k++;
      }
      if (k === targets.length) {
        input.destroy();
        resolve(decode());
      }
    });
    input.on('error', reject);
    input.on('end', () => reject(new Error('the data pipe closed before every column arrived')));
  });
}
