/**
 * Sampling that keeps neighbours (issue 15): `npm run bench -- --only sampling` runs it alone; a
 * full run runs it last. One seeded Parquet event log (bench/generators/generateEventLog.ts:
 * 10M rows, 1M customers, sorted by customer then time and declaring it, row groups of 100k rows), generated once
 * into bench/work/ and reused while the generator and its parameters are unchanged.
 *
 *   sampling-read  four ways of sampling `customer_id, ts, spend` from it, each read in a fresh
 *                  process through the engine's reading path (`resolveSnapshot` + the snapshot's
 *                  sampling keys from `samplingOf`, as the check's `SnapshotLoader` reads a
 *                  snapshot without its sample cache; the engine bundled from source,
 *                  bench/core/engine.ts), in rounds whose order rotates after one untimed round:
 *                  uniform (`sampleRows: 20000`, today's), entities (`sampleBy: customer_id`,
 *                  `orderBy: [customer_id, ts]`), blocks in `orderBy: [customer_id, ts]` order and
 *                  blocks in file order (`sampleBlocks {8, 400, 100}`). Each process reports the
 *                  time of resolve + read, the bytes its file handles read (every `FileHandle.read`
 *                  wrapped: position and length, mapped onto the file's column chunks, so the row
 *                  groups touched are known per column) and the `rchar` delta of /proc/self/io
 *                  around the same span. The samples are checked: the row counts, whole entities
 *                  (every row of each sampled customer), runs of 400 consecutive rows, the
 *                  `(customer_id, ts)` order, and the same rows in every run.
 */
import { mkdtempSync, openSync, readSync, closeSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEngine } from '../core/engine';
import { fmtCount, fmtMB, fmtMs, median, runProcess } from '../core/measure';
import { ROOT } from '../core/paths';
import type { Family, Goal, Machine, ReadmeHelpers, Row, Section, SectionContext, WorkspaceParams, WorkspaceResult } from '../core/types';
import { entityCounts, EVENT_LOG, eventLogVersion, generateEventLog, type EventLogMeta } from '../generators/generateEventLog';

const PARAMS: WorkspaceParams = { modules: 0, features: 0, rows: 10_000_000, seed: 1, entities: 1_000_000, rowGroupSize: 100_000 };
const COLUMNS = ['customer_id', 'ts', 'spend'];
const SAMPLE_ROWS = 20_000;
const SEED = 0;
const BLOCKS = { blocks: 8, rows: 400, warmupRows: 100 };
const GOAL_ENTITY = 2;

interface Mode {
  id: string;
  /** The figure's name. */
  figure: string;
  /** Short name in the goals and the discussion. */
  short: string;
  keys: { orderBy?: string[]; sampleBy?: string; sampleBlocks?: typeof BLOCKS };
}

const MODES: Mode[] = [
  { id: 'uniform', short: 'uniform', figure: `uniform sampling (today): \`sampleRows: ${SAMPLE_ROWS}\``, keys: {} },
  { id: 'entity', short: 'entity', figure: `entity sampling: \`sampleBy: customer_id\`, \`orderBy: [customer_id, ts]\`, \`sampleRows: ${SAMPLE_ROWS}\``, keys: { sampleBy: 'customer_id', orderBy: ['customer_id', 'ts'] } },
  { id: 'blocks', short: 'blocks, orderBy', figure: `block sampling: \`sampleBlocks {${BLOCKS.blocks}, ${BLOCKS.rows}, ${BLOCKS.warmupRows}}\`, \`orderBy: [customer_id, ts]\``, keys: { orderBy: ['customer_id', 'ts'], sampleBlocks: BLOCKS } },
  { id: 'blocks-file', short: 'blocks, file order', figure: `block sampling in file order: \`sampleBlocks {${BLOCKS.blocks}, ${BLOCKS.rows}, ${BLOCKS.warmupRows}}\`, no \`orderBy\``, keys: { sampleBlocks: BLOCKS } },
];

/**
 * The child process: loads the engine bundle, wraps `FileHandle.prototype.read` (the readers read
 * the file through `fs/promises` handles only), then resolves and reads the snapshot as the check
 * does and prints what it read and what it sampled.
 */
const SAMPLE_SCRIPT = String.raw`
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const spec = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
const engine = require(spec.bundle);
const rchar = () => Number(/^rchar:\s*(\d+)/m.exec(fs.readFileSync('/proc/self/io', 'utf8'))[1]);
(async () => {
  const probe = await fs.promises.open(spec.snapshot.absPath, 'r');
  const proto = Object.getPrototypeOf(probe);
  await probe.close();
  const reads = [];
  // Which open (step of the reading path) each handle came from.
  const steps = new WeakMap();
  let t0 = performance.now();
  const read = proto.read;
  proto.read = async function (...args) {
    const r = await read.apply(this, args);
    const a = args[0];
    const position = a !== null && typeof a === 'object' && !ArrayBuffer.isView(a) ? a.position : args[3];
    reads.push([position === null || position === undefined ? -1 : Number(position), r.bytesRead, performance.now() - t0, steps.get(this) ?? -1]);
    return r;
  };
  // Each open is one step of the reading path (the identity hash; per read: the LFS check, the reader).
  const opens = [];
  const open = fs.promises.open;
  fs.promises.open = function (...args) {
    const step = opens.length;
    opens.push(performance.now() - t0);
    return open.apply(this, args).then((h) => (steps.set(h, step), h));
  };
  const s = spec.snapshot;
  const sampling = engine.samplingOf(s);
  const r0 = rchar();
  t0 = performance.now();
  const resolved = await engine.resolveSnapshot(s, spec.configDir, s.path, {});
  const t = await resolved.read({ sampleRows: s.sampleRows, seed: s.seed, columns: spec.columns, ...(sampling ? { sampling } : {}) });
  const ms = performance.now() - t0;
  const rcharDelta = rchar() - r0;
  proto.read = read;
  fs.promises.open = open;
  const idx = t.rowIndices;
  const asc = Float64Array.from(idx).sort();
  let distinct = true;
  const runs = [];
  for (let i = 0; i < asc.length; i++) {
    if (i > 0 && asc[i] === asc[i - 1]) distinct = false;
    if (i > 0 && asc[i] === asc[i - 1] + 1) runs[runs.length - 1][1]++;
    else runs.push([asc[i], 1]);
  }
  const col = (name) => t.values[t.columns.findIndex((c) => c.name === name)];
  const cid = col('customer_id'), ts = col('ts'), spend = col('spend');
  let ordered = true, spendSum = 0;
  for (let i = 0; i < idx.length; i++) {
    spendSum += spend[i];
    if (i > 0 && (cid[i - 1] > cid[i] || (cid[i - 1] === cid[i] && ts[i - 1] > ts[i]))) ordered = false;
  }
  const entities = new Map();
  for (const c of cid) entities.set(c, (entities.get(c) || 0) + 1);
  process.stdout.write(JSON.stringify({
    ms, rchar: rcharDelta, reads, opens, rows: idx.length, totalRows: t.totalRows, columns: t.columns.map((c) => c.name + ':' + c.type),
    distinct, ordered, spendSum, runCount: runs.length, runs: runs.length <= 1000 ? runs : undefined,
    entityCount: entities.size, entities: entities.size <= 20000 ? [...entities] : undefined,
    hash: createHash('sha1').update(Buffer.from(Float64Array.from(idx).buffer)).digest('hex').slice(0, 16),
  }));
})().catch((e) => { console.error((e && e.stack) || String(e)); process.exit(1); });
`;

interface ChildOutput {
  ms: number;
  rchar: number;
  /** [position, bytes read, ms since the span started (when the read returned), the open it was read through (0: the identity hash)]. */
  reads: [number, number, number, number][];
  /** ms since the span started at each `fs.promises.open`. */
  opens: number[];
  rows: number;
  totalRows: number;
  columns: string[];
  distinct: boolean;
  ordered: boolean;
  spendSum: number;
  runCount: number;
  runs?: [number, number][];
  entityCount: number;
  entities?: [number, number][];
  hash: string;
}

/** A column chunk's bytes in the file. */
interface Chunk { column: string; rowGroup: number; start: number; end: number }
interface FileLayout { bytes: number; rowGroups: number; rowGroupRows: number[]; chunks: Chunk[] }

/** The file's column chunks, from its footer (hyparquet). */
async function fileLayout(path: string): Promise<FileLayout> {
  const { parquetMetadataAsync } = await import('hyparquet');
  const bytes = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const file = {
      byteLength: bytes,
      async slice(start: number, end = bytes): Promise<ArrayBuffer> {
        const buf = new Uint8Array(end - start);
        readSync(fd, buf, 0, buf.length, start);
        return buf.buffer;
      },
    };
    const metadata = await parquetMetadataAsync(file);
    const chunks: Chunk[] = [];
    metadata.row_groups.forEach((rg, rowGroup) => {
      for (const c of rg.columns) {
        const m = c.meta_data!;
        const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
        chunks.push({ column: m.path_in_schema.join('.'), rowGroup, start, end: start + Number(m.total_compressed_size) });
      }
    });
    return { bytes, rowGroups: metadata.row_groups.length, rowGroupRows: metadata.row_groups.map((rg) => Number(rg.num_rows)), chunks };
  } finally {
    closeSync(fd);
  }
}

/**
 * What a run's reads touched: bytes per column and row groups per column (the readers' reads; the
 * resolver's identity hash of the file's first and last 64 KB, the first open, apart), bytes outside the chunks.
 */
interface Touched { bytes: number; identity: number; footer: number; byColumn: Record<string, { bytes: number; rowGroups: number[] }>; other: number }

function touched(layout: FileLayout, reads: [number, number, number, number][]): Touched {
  const byColumn: Record<string, { bytes: number; rowGroups: Set<number> }> = {};
  let total = 0, inChunks = 0, identity = 0, footer = 0;
  for (const [pos, len, , step] of reads) {
    total += len;
    if (step === 0) identity += len;
    // hyparquet's first read of the footer takes the file's last 512 KB, whatever it overlaps.
    else if (pos + len === layout.bytes) footer += len;
    if (pos < 0 || len === 0 || step === 0 || pos + len === layout.bytes) continue;
    for (const c of layout.chunks) {
      const overlap = Math.min(pos + len, c.end) - Math.max(pos, c.start);
      if (overlap <= 0) continue;
      const entry = (byColumn[c.column] ??= { bytes: 0, rowGroups: new Set() });
      entry.bytes += overlap;
      entry.rowGroups.add(c.rowGroup);
      inChunks += overlap;
    }
  }
  return {
    bytes: total,
    identity,
    footer,
    other: total - inChunks - identity - footer,
    byColumn: Object.fromEntries(Object.entries(byColumn).map(([k, v]) => [k, { bytes: v.bytes, rowGroups: [...v.rowGroups].sort((a, b) => a - b) }])),
  };
}

/** The row groups holding the rows of `runs` ([first row, length]). */
function rowGroupsOf(layout: FileLayout, runs: [number, number][]): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const n of layout.rowGroupRows) starts.push(at), (at += n);
  const groupOf = (row: number) => {
    let g = 0;
    while (g + 1 < starts.length && starts[g + 1] <= row) g++;
    return g;
  };
  const out = new Set<number>();
  for (const [first, len] of runs) for (let g = groupOf(first); g <= groupOf(first + len - 1); g++) out.add(g);
  return [...out].sort((a, b) => a - b);
}

/** What the sections keep per mode for the goals and the README. */
interface ModeState {
  id: string;
  short: string;
  median: number;
  processMedian: number;
  rows: number;
  entities: number;
  bytes: number;
  rchar: number;
  touched: Touched;
  /** Row groups holding the sampled rows (block sampling: the blocks). */
  holding: number[];
  /**
   * Keyed samplings: ms from the start until the rows were chosen (the key columns read and the
   * rows selected: the open of the file for the second read, median), undefined otherwise.
   */
  selectMs?: number;
}

function runChild(ctx: SectionContext, bundle: string, mode: Mode, path: string, dir: string): { out: ChildOutput; processMs: number; rssKB?: number } {
  const specFile = join(dir, `spec-${mode.id}.json`);
  const snapshot = { name: 'events', path: EVENT_LOG, absPath: path, sampleRows: SAMPLE_ROWS, seed: SEED, sliceBy: [], ...mode.keys };
  writeFileSync(specFile, JSON.stringify({ bundle, snapshot, configDir: ctx.meta.dir, columns: COLUMNS }));
  const r = runProcess(process.execPath, ['-e', SAMPLE_SCRIPT, specFile], { cwd: ROOT });
  if (r.status !== 0) throw new Error(`${mode.id} sampling process: exit ${r.status}: ${r.stderr.split('\n').slice(0, 8).join(' / ')}`);
  return { out: JSON.parse(r.stdout) as ChildOutput, processMs: r.ms, rssKB: r.rssKB };
}

const fmtBytes = (n: number) => (n >= 1 << 20 ? fmtMB(n / 1024) : `${(n / 1024).toFixed(0)} KB`);
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(part / whole < 0.1 ? 1 : 0)}%`;

const SECTIONS: Section[] = [
  {
    id: 'sampling-read',
    title: `uniform, entity and block sampling of ${COLUMNS.join(', ')} from the event log, each in a fresh process (engine reading path), rounds rotating`,
    async run(ctx) {
      const meta = ctx.meta as EventLogMeta;
      const path = meta.eventLog.path;
      const size = statSync(path, { throwIfNoEntry: false })?.size;
      if (size !== meta.eventLog.bytes) throw new Error(`${path}: ${size ?? 'missing'} bytes, ${meta.eventLog.bytes} generated: run with --regenerate`);
      const layout = await fileLayout(path);
      const gen = meta.eventLog.generatedMs;
      console.log(`   event log: ${fmtCount(ctx.params.rows)} rows, ${fmtCount(meta.eventLog.entities)} customers, ${fmtMB(size / 1024)}, ${layout.rowGroups} row groups${gen !== undefined ? `, generated in ${(gen / 1000).toFixed(1)} s` : ''}`);
      const bundle = await buildEngine();
      const dir = mkdtempSync(join(tmpdir(), 'fg-bench-sampling-'));
      ctx.defer(() => rmSync(dir, { recursive: true, force: true }));
      // Untimed: one round, so the file is in the page cache for every timed run (as for a repeated check).
      for (const mode of MODES) runChild(ctx, bundle, mode, path, dir);
      const runs: Record<string, ReturnType<typeof runChild>[]> = Object.fromEntries(MODES.map((m) => [m.id, []]));
      for (let i = 0; i < ctx.opts.runs; i++) {
        for (let j = 0; j < MODES.length; j++) {
          const mode = MODES[(i + j) % MODES.length];
          runs[mode.id].push(runChild(ctx, bundle, mode, path, dir));
        }
      }
      const counts = entityCounts(ctx.params.rows, meta.eventLog.entities, ctx.params.seed);
      const countOf = (id: number) => counts[(id - 100_000) / 3];
      const states: ModeState[] = [];
      let uniformMedian = NaN;
      for (const mode of MODES) {
        const rs = runs[mode.id];
        const outs = rs.map((r) => r.out);
        const first = outs[0];
        const t = touched(layout, first.reads);
        const row: Row = ctx.record(`sampling-${mode.id}`, mode.figure, rs.map((r) => ({ ms: r.out.ms, rssKB: r.rssKB })), { generic: `${mode.short} sampling` });
        const holding = first.runs ? rowGroupsOf(layout, first.runs) : [];
        // Opens: the identity hash, then per read (or look at the file) the LFS check and the reader;
        // keyed: the reads that choose the rows, then the read of the rows (the last two opens).
        const keyed = Object.keys(mode.keys).length > 0;
        const selectMs = keyed && outs.every((o) => o.opens.length >= 5 && o.opens.length % 2 === 1) ? median(outs.map((o) => o.opens[o.opens.length - 2])) : undefined;
        if (keyed && selectMs === undefined) ctx.note(`sampling ${mode.id}: phases`, `the reading path opened the file ${first.opens.length} times, not an odd number ≥ 5: no split between choosing the rows and reading them`);
        const state: ModeState = {
          id: mode.id, short: mode.short, median: row.median, processMedian: median(rs.map((r) => r.processMs)), rows: first.rows, entities: first.entityCount,
          bytes: median(outs.map((o) => o.reads.reduce((a, [, n]) => a + n, 0))), rchar: median(outs.map((o) => o.rchar)), touched: t, holding, selectMs,
        };
        states.push(state);
        if (mode.id === 'uniform') uniformMedian = row.median;
        row.ratio = mode.id === 'uniform' ? '1.00×' : `${(row.median / uniformMedian).toFixed(2)}× uniform`;
        row.sampled = first.rows;
        row.bytesRead = state.bytes;
        row.rchar = state.rchar;
        row.processMs = state.processMedian;
        row.selectMs = selectMs;
        row.rowGroupsTouched = Object.fromEntries(Object.entries(t.byColumn).map(([k, v]) => [k, v.rowGroups.length]));
        console.log(`     ${first.rows} rows (${first.entityCount} customers, ${first.runCount} runs), read ${fmtMB(state.bytes / 1024)} of ${fmtMB(layout.bytes / 1024)} (${pct(state.bytes, layout.bytes)}; rchar ${fmtMB(state.rchar / 1024)}), row groups touched ${Object.entries(t.byColumn).map(([k, v]) => `${k} ${v.rowGroups.length}`).join(', ')} of ${layout.rowGroups}; whole process ${fmtMs(state.processMedian)}${selectMs !== undefined ? `; rows chosen after ${fmtMs(selectMs)}` : ''}; identity hash ${fmtBytes(t.identity)}, footer fetches ${fmtBytes(t.footer)}, other ${fmtBytes(t.other)}`);

        // What every sample must be.
        const problems: string[] = [];
        if (outs.some((o) => o.hash !== first.hash)) problems.push(`the rows differ between runs (${[...new Set(outs.map((o) => o.hash))].join(', ')})`);
        if (first.totalRows !== ctx.params.rows) problems.push(`totalRows ${first.totalRows}, expected ${ctx.params.rows}`);
        if (!first.distinct) problems.push('a row sampled twice');
        if (!first.ordered) problems.push('rows not in (customer_id, ts) order');
        if (JSON.stringify(first.columns) !== JSON.stringify(['customer_id:integer', 'ts:integer', 'spend:number'])) problems.push(`columns ${first.columns.join(', ')}`);
        if (mode.id === 'uniform' && first.rows !== SAMPLE_ROWS) problems.push(`${first.rows} rows, expected ${SAMPLE_ROWS}`);
        if (mode.id === 'entity') {
          if (!(first.rows > SAMPLE_ROWS * 0.9 && first.rows <= SAMPLE_ROWS)) problems.push(`${first.rows} rows, expected ≤ ${SAMPLE_ROWS} and close to it`);
          const partial = (first.entities ?? []).filter(([id, n]) => countOf(id) !== n);
          if (!first.entities) problems.push('no entity list');
          if (partial.length) problems.push(`${partial.length} customers not whole (e.g. ${partial[0][0]}: ${partial[0][1]} of ${countOf(partial[0][0])} rows)`);
        }
        if (mode.keys.sampleBlocks) {
          const b = mode.keys.sampleBlocks;
          if (first.rows !== b.blocks * b.rows) problems.push(`${first.rows} rows, expected ${b.blocks * b.rows}`);
          // Adjacent blocks merge into one run: every run is whole blocks.
          if (!first.runs || first.runs.some(([, n]) => n % b.rows !== 0)) problems.push(`runs are not whole blocks of ${b.rows} rows (${first.runCount} runs)`);
          const spend = t.byColumn.spend?.rowGroups ?? [];
          if (JSON.stringify(spend) !== JSON.stringify(holding)) problems.push(`spend read in row groups ${spend.join(',')}, the blocks are in ${holding.join(',')}`);
        }
        ctx.check(`sampling ${mode.id}: the sample`, problems.length === 0, `${outs.length} runs: ${first.rows} rows, ${first.entityCount} customers, ${first.runCount} runs of consecutive rows, the same rows every run${problems.length ? ' — ' + problems.join('; ') : ''}`);
      }
      // The file is in (customer_id, ts) order: blocks in that order are the blocks of the file's own order.
      const same = runs.blocks[0].out.hash === runs['blocks-file'][0].out.hash;
      ctx.check('sampling blocks: the rows of file order', same, same ? 'blocks in orderBy order are the same rows as blocks in file order (the file is in that order)' : 'blocks in orderBy order differ from blocks in file order, in a file sorted that way');
      ctx.state.sampling = { file: { bytes: layout.bytes, rowGroups: layout.rowGroups, rows: ctx.params.rows, entities: meta.eventLog.entities, generatedMs: gen }, modes: states };
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Output

interface SamplingState {
  file: { bytes: number; rowGroups: number; rows: number; entities: number; generatedMs?: number };
  modes: ModeState[];
}

const stateOf = (result: WorkspaceResult) => result.state.sampling as SamplingState | undefined;

function touchedText(s: SamplingState, m: ModeState): string {
  return COLUMNS.map((c) => `${c} ${m.touched.byColumn[c]?.rowGroups.length ?? 0}`).join(', ') + ` of ${s.file.rowGroups}`;
}

function goals(result: WorkspaceResult): Goal[] {
  const s = stateOf(result);
  if (!s) return [];
  const by = (id: string) => s.modes.find((m) => m.id === id);
  const out: Goal[] = [];
  const u = by('uniform'), e = by('entity');
  if (u && e) {
    const r = e.median / u.median;
    out.push({ goal: `entity sampling of ${fmtCount(SAMPLE_ROWS)} rows ≤ ${GOAL_ENTITY}× uniform sampling of ${fmtCount(SAMPLE_ROWS)} rows (medians, same run)`, measured: `${r.toFixed(2)}× (${fmtMs(e.median)} vs ${fmtMs(u.median)})`, met: r <= GOAL_ENTITY });
  }
  for (const id of ['blocks', 'blocks-file']) {
    const b = by(id);
    if (!b) continue;
    out.push({ goal: `${b.short}: bytes read < the file's size`, measured: `${fmtMB(b.bytes / 1024)} of ${fmtMB(s.file.bytes / 1024)} (${pct(b.bytes, s.file.bytes)})`, met: b.bytes < s.file.bytes });
    const extra = COLUMNS.filter((c) => JSON.stringify(b.touched.byColumn[c]?.rowGroups ?? []) !== JSON.stringify(b.holding));
    out.push({
      goal: `${b.short}: only the row groups holding the blocks read`,
      measured: `blocks in ${b.holding.length} of ${s.file.rowGroups} row groups; read: ${touchedText(s, b)}`,
      met: extra.length === 0,
    });
  }
  return out;
}

function modeTable(result: WorkspaceResult): string {
  const s = stateOf(result);
  if (!s) return '';
  const out = [
    '| figure | median | spread | ratio | of which choosing the rows | rows sampled | bytes read (of the file) | `rchar` | row groups read (per column) | whole process | peak RSS | runs | load |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of result.rows.filter((x) => !x.skipped)) {
    const m = s.modes.find((x) => `sampling-${x.id}` === r.id);
    if (!m) continue;
    const who = m.id === 'entity' ? ` (${fmtCount(m.entities)} customers)` : '';
    out.push(`| ${r.figure} | ${fmtMs(r.median)} | ${fmtMs(r.min)}–${fmtMs(r.max)} | ${r.ratio ?? '—'} | ${m.selectMs !== undefined ? fmtMs(m.selectMs) : '—'} | ${m.rows.toLocaleString('en-US')}${who} | ${fmtMB(m.bytes / 1024)} (${pct(m.bytes, s.file.bytes)}) | ${fmtMB(m.rchar / 1024)} | ${touchedText(s, m)} | ${fmtMs(m.processMedian)} | ${r.rssKB ? fmtMB(r.rssKB) : '—'} | ${r.n} | ${r.load} |`);
  }
  return out.join('\n');
}

function discussion(result: WorkspaceResult): string[] {
  const s = stateOf(result);
  if (!s) return [];
  const by = (id: string) => s.modes.find((m) => m.id === id);
  const b = by('blocks'), f = by('blocks-file'), u = by('uniform');
  const out = [
    '**median** is the time of `resolveSnapshot` + `read` inside a fresh process (module loading and process start excluded; **whole process** is',
    'the wall time of the process, median). **bytes read** is the sum of what the process\'s file handles read, every `FileHandle.read`',
    'wrapped (the resolver\'s 128 KB identity hash of the file\'s ends and the magic-byte checks included); `rchar` is the',
    '/proc/self/io delta around the same span (every read system call of the process, page cache or not). Row groups read: the',
    'column chunks (from the file\'s footer) the readers\' reads overlapped, leaving out the resolver\'s identity hash and hyparquet\'s footer fetches (the',
    'file\'s last 512 KB, once per read, overlapping the last row group). **Of which choosing the rows** (keyed samplings): the time until',
    'the file was opened for the last read (the sampled rows), i.e. whatever was read to choose the rows and the selection (median).',
  ];
  if (u) out.push('', `Uniform sampling picks ${fmtCount(SAMPLE_ROWS)} rows spread over the whole file (~${Math.round(SAMPLE_ROWS / s.file.rowGroups)} per row group), so it decodes every row group of the three columns.`);
  if (b && f) {
    const keysRead = COLUMNS.filter((c) => c !== 'spend').map((c) => `\`${c}\` in ${b.touched.byColumn[c]?.rowGroups.length ?? 0}`).join(' and ');
    out.push('',
      `The event log declares its order (every row group's \`sorting_columns\`: customer_id, ts), so with \`orderBy: [customer_id, ts]\` the blocks are runs of the`,
      `file's own rows, chosen from the footer alone as without \`orderBy\`; the key columns are then read for the blocks' rows to check they are in order (${keysRead}`,
      `of ${s.file.rowGroups} row groups), and the blocks read: ${touchedText(s, b)}, the blocks being in ${b.holding.length}. Without \`orderBy\`: ${fmtMB(f.bytes / 1024)}`,
      `(${pct(f.bytes, s.file.bytes)} of the file); row groups read: ${touchedText(s, f)}, the blocks being in ${f.holding.length}. A file that declares no order has its key columns read`,
      'for every row to put the rows in order before the blocks are chosen.');
  }
  const e = by('entity');
  if (e) {
    out.push('', `Entity sampling reads \`customer_id\` for every row (${e.touched.byColumn.customer_id?.rowGroups.length ?? 0} of ${s.file.rowGroups} row groups) and hashes it as it is decoded (no cells),`,
      'then reads the sampled customers\' rows once, with the `orderBy` columns, and puts them in order.');
  }
  const phases = [e, b].filter((m): m is ModeState => m?.selectMs !== undefined);
  if (phases.length) {
    out.push('', `Where the keyed samplings' time goes: ${phases.map((m) => `${m.short}: ${fmtMs(m.selectMs!)} of ${fmtMs(m.median)} to choose the rows, ${fmtMs(m.median - m.selectMs!)} to read them`).join('; ')}.`);
  }
  return out;
}

const METHOD = [
  '- **sampling** (`bench/families/sampling.ts`, `--only sampling`): one seeded Parquet event log (bench/generators/generateEventLog.ts,',
  `  hyparquet-writer, SNAPPY): ${fmtCount(PARAMS.rows)} rows of ${fmtCount(Number(PARAMS.entities))} customers (1–19 rows each, mean 10, seeded), sorted by customer then time (declared: \`sorting_columns\`),`,
  `  \`customer_id\` INT32, \`ts\` INT64 (epoch ms, no timestamp annotation), \`spend\` DOUBLE, row groups of ${fmtCount(Number(PARAMS.rowGroupSize))} rows (one page per column chunk),`,
  '  in bench/work/ (reused). Four samplings of the three columns, each read in a fresh `node` process through `resolveSnapshot` + `samplingOf`',
  '  (bench/core/engine.ts: the engine bundled from source; what the check\'s `SnapshotLoader` calls, without its sample cache): uniform',
  `  (\`sampleRows: ${SAMPLE_ROWS}, seed: ${SEED}\`), entities (\`sampleBy: customer_id, orderBy: [customer_id, ts]\`), blocks (\`sampleBlocks {${BLOCKS.blocks}, ${BLOCKS.rows}, ${BLOCKS.warmupRows}}\`) with`,
  '  `orderBy: [customer_id, ts]` and without `orderBy`. One untimed round (the file in the page cache), then `--runs` rounds, the order',
  '  rotating. Timed: resolve + read in the process; bytes: every `FileHandle.read` of the process wrapped, and /proc/self/io `rchar`.',
  '  Checked: row counts, whole customers (against the generator\'s counts), whole blocks, the (customer_id, ts) order, the same rows every run.',
];

function readmeSubsection(result: WorkspaceResult, m: Machine, date: string, resultsFile: string, { goalsTable, loadAtStart }: ReadmeHelpers): string {
  const s = stateOf(result);
  const file = s
    ? `${fmtCount(s.file.rows)} rows, ${fmtCount(s.file.entities)} customers, ${fmtMB(s.file.bytes / 1024)} in ${s.file.rowGroups} row groups${s.file.generatedMs !== undefined ? `; written by hyparquet-writer in ${(s.file.generatedMs / 1000).toFixed(0)} s, not timed as a figure` : ''}`
    : '';
  return [
    '### Sampling that keeps neighbours',
    '',
    `\`npm run bench -- --only sampling\` generates a seeded Parquet event log sorted by customer then time, declaring that order (${file}), and samples`,
    `\`customer_id, ts, spend\` from it through the engine's reading path, each read in a fresh process: uniformly (today's \`sampleRows: ${fmtCount(SAMPLE_ROWS)}\`),`,
    'by whole customers (`sampleBy`) and in blocks of consecutive rows (`sampleBlocks`), with wall time, bytes read and the row groups touched.',
    `Latest run, ${date}, ${m.nproc} shared cores (${m.cpu}), load average ${loadAtStart.split(' ')[0]} at the start and ${result.loadEnd} at the end`,
    `(method and all figures: \`${resultsFile}\`):`,
    '',
    modeTable(result),
    '',
    goalsTable(result),
    '',
    ...discussion(result),
    '',
  ].join('\n');
}

export const SAMPLING_WORKSPACE: Family = {
  language: 'Parquet',
  /** bench/work/sampling-0m-0f-<rows>r-s<seed> (a one-commit repository; the file in its ignored data/). */
  prefix: 'sampling',
  params: PARAMS,
  generate: generateEventLog,
  generatorVersion: eventLogVersion,
  sections: SECTIONS,
  ratioOf: (r) => r.ratio,
  goals,
  goalsTitle: 'Goals (issue 15, sampling that keeps neighbours):',
  discussion: (r) => [modeTable(r), '', ...discussion(r)],
  method: METHOD,
  readmeHeading: '### Sampling that keeps neighbours',
  readmeSubsection,
};
