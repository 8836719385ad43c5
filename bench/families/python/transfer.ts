/**
 * The Python protocol's transfer for the benchmarks (bench/families/python, section py-transfer): 100k
 * rows × 10 columns from the engine's encoder to the worker's decoded columns, timed across the two
 * processes on one clock (CLOCK_MONOTONIC: Node's process.hrtime and Python's time.monotonic_ns).
 *
 * One python3 process runs a harness that loads the worker's own functions (the worker file, run
 * under another __name__, so its main() does not start), imports pandas, and says it is ready. Then,
 * run by run, Node takes t0, calls `encodeColumns` and `encodeFrameParts` (the engine's, bundled) and
 * writes the frame's parts to the pipe as engine/exec/python/runPython.ts does; Python reads it with the worker's `read_frame`, decodes every column
 * to the lists a row feature gets (`Columns`), stops the clock, and builds, from the same buffers,
 * the DataFrame a pandas feature gets (`new_frame`, timed apart); it answers with its timestamps and
 * a checksum of every column, which Node compares with the values it sent.
 *
 * Not counted: the interpreter's start and imports (once per worker process, in the check figures),
 * reading the snapshot (the `read` phase) and the feature's own work (rows_of builds one dict per row
 * for a row feature: execution, not transfer).
 */
import { spawn } from 'node:child_process';
import type { Engine } from '../../core/engine';
import { median, percentile } from '../../core/measure';

const HARNESS = String.raw`
import json, os, sys, time
path = sys.argv[1]
ns = {"__name__": "featureguard_worker_harness"}
with open(path, encoding="utf-8") as f:
    exec(compile(f.read(), path, "exec"), ns)
import numpy, pandas  # noqa: F401 - imported before anything is timed, as a pandas form has them
ns["widen_pipe"](0)  # as the worker's main() does
stdin = os.fdopen(0, "rb", buffering=1 << 16)
out = os.fdopen(1, "wb", buffering=0)
out.write(b"ready\n")
while True:
    try:
        header, buffers = ns["read_frame"](stdin)
    except EOFError:
        break
    read = time.monotonic_ns()
    n = header["rowCount"]
    columns = ns["Columns"](header["columns"], buffers, n)
    lists = {name: columns[name] for name in columns}
    decoded = time.monotonic_ns()
    frame = ns["new_frame"](ns["Columns"](header["columns"], buffers, n), n)
    framed = time.monotonic_ns()
    check = {}
    for name, (kind, values) in lists.items():
        present = [v for v in values if v is not None]
        check[name] = [len(values) - len(present), sum(present) if kind in ("f64", "i64") else sum(len(v) for v in present)]
    check["frame"] = [int(frame.shape[0]), int(frame.shape[1])]
    out.write((json.dumps({"read": read, "decoded": decoded, "framed": framed, "check": check}) + "\n").encode())
`;

/** 10 seeded columns of `rows` rows: 7 floats (one with 2% nulls), 1 integer, 2 strings (one with non-ASCII names). */
/** A column as encodeColumns takes it. */
export interface TransferColumn {
  name: string;
  type: 'number' | 'integer' | 'string';
  values: (number | string | null)[];
}

type Phase = 'encode' | 'frame' | 'pipe' | 'decode' | 'total' | 'dataframe';
type TransferSample = Record<Phase, number>;

export interface TransferResult {
  samples: TransferSample[];
  first: TransferSample;
  stats: Record<Phase, { median: number; p95: number }>;
  bytes: number;
  problems: string[];
}

export function transferColumns(rows: number): TransferColumn[] {
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const cols: TransferColumn[] = [];
  for (let c = 0; c < 7; c++) {
    const values = new Array<number | null>(rows);
    for (let i = 0; i < rows; i++) values[i] = c === 6 && rand() < 0.02 ? null : Math.round((rand() * 2 - 1) * 10 ** (c % 4 + 1) * 1000) / 1000;
    cols.push({ name: `x${c}`, type: 'number', values });
  }
  const ids = new Array<number>(rows);
  for (let i = 0; i < rows; i++) ids[i] = 1_000_000 + i * 7;
  cols.push({ name: 'customer_id', type: 'integer', values: ids });
  const segs = ['north', 'south', 'east', 'west', 'online'];
  const cities = ['Lyon', 'Zürich', 'Kraków', 'Porto', 'Gent', 'Malmö', 'Bilbao', 'Graz'];
  const seg = new Array<string>(rows), city = new Array<string>(rows);
  for (let i = 0; i < rows; i++) {
    seg[i] = segs[Math.floor(rand() * segs.length)];
    city[i] = cities[Math.floor(rand() * cities.length)];
  }
  cols.push({ name: 'seg', type: 'string', values: seg }, { name: 'city', type: 'string', values: city });
  return cols;
}

/** What the harness must answer for `cols`: per column, nulls and the sum of the values (or of the strings' lengths). */
function expectedCheck(cols: TransferColumn[]): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const c of cols) {
    const present = c.values.filter((v) => v !== null);
    out[c.name] = [c.values.length - present.length, c.type === 'string' ? (present as string[]).reduce((n, v) => n + v.length, 0) : (present as number[]).reduce((a, b) => a + b, 0)];
  }
  return out;
}

/**
 * `runs` timed transfers (after `warmups` untimed ones) of `transferColumns(rows)` to a harness in
 * `python`. Returns per run: encode (encodeColumns), frame (encodeFrameParts), pipe (write → read_frame
 * done), decode (to lists), total (t0 → decoded), dataframe (new_frame, apart); the first run's
 * total (a cold encoder, as a check has it); the frame's size; and the problems of the checksums.
 */
export async function measureTransfer({ python, workerPath, encodeColumns, encodeFrameParts, rows, runs, warmups = 3 }: {
  python: string;
  workerPath: string;
  encodeColumns: Engine['encodeColumns'];
  encodeFrameParts: Engine['encodeFrameParts'];
  rows: number;
  runs: number;
  warmups?: number;
}): Promise<TransferResult> {
  const cols = transferColumns(rows);
  const want = expectedCheck(cols);
  const child = spawn(python, ['-c', HARNESS, workerPath], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const lines: string[] = [];
  let waiting: (() => void) | undefined;
  let buffered = '';
  child.stdout.on('data', (d) => {
    buffered += d;
    let at;
    while ((at = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, at));
      buffered = buffered.slice(at + 1);
      waiting?.();
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const nextLine = () => new Promise<string>((resolve, reject) => {
    const take = () => {
      if (lines.length) return (waiting = undefined), resolve(lines.shift()!);
      waiting = take;
    };
    exited.then((code) => lines.length === 0 && reject(new Error(`the transfer harness exited (${code}): ${stderr.split('\n').slice(-6).join('\n')}`)));
    take();
  });
  const now = () => Number(process.hrtime.bigint());
  try {
    if ((await nextLine()) !== 'ready') throw new Error('the transfer harness did not start');
    const samples: TransferSample[] = [];
    let first: TransferSample | undefined;
    const problems: string[] = [];
    let bytes = 0;
    for (let i = 0; i < warmups + runs; i++) {
      const t0 = now();
      const { headers, buffers } = encodeColumns(cols as Parameters<Engine['encodeColumns']>[0], rows);
      const t1 = now();
      const parts = encodeFrameParts({ rowCount: rows, columns: headers, jobs: [] }, buffers);
      const t2 = now();
      child.stdin.cork();
      for (const part of parts) child.stdin.write(part);
      child.stdin.uncork();
      const reply = JSON.parse(await nextLine());
      bytes = parts.reduce((n, p) => n + p.byteLength, 0);
      const ms = (a: number, b: number) => (b - a) / 1e6;
      const sample: TransferSample = { encode: ms(t0, t1), frame: ms(t1, t2), pipe: ms(t2, reply.read), decode: ms(reply.read, reply.decoded), total: ms(t0, reply.decoded), dataframe: ms(reply.decoded, reply.framed) };
      if (i === 0) {
        for (const [name, [nulls, sum]] of Object.entries(want)) {
          const got = reply.check[name];
          if (!got || got[0] !== nulls || got[1] !== sum) problems.push(`${name}: ${JSON.stringify(got)} received, [${nulls}, ${sum}] sent`);
        }
        if (JSON.stringify(reply.check.frame) !== JSON.stringify([rows, cols.length])) problems.push(`DataFrame ${JSON.stringify(reply.check.frame)}, expected [${rows}, ${cols.length}]`);
      }
      if (i === 0) first = sample;
      if (i >= warmups) samples.push(sample);
    }
    const stats = {} as TransferResult['stats'];
    for (const k of ['encode', 'frame', 'pipe', 'decode', 'total', 'dataframe'] as const) stats[k] = { median: median(samples.map((x) => x[k])), p95: percentile(samples.map((x) => x[k]), 95) };
    return { samples, first: first!, stats, bytes, problems };
  } finally {
    child.stdin.end();
    await exited;
  }
}
