/**
 * One side's outcome for a feature — the values its code produced on a sample — cached by
 * everything that outcome depends on (see `sideKey` in `runCheck.ts`): that side's closure
 * fingerprint and module contents, the feature's config, the snapshot's identity, the sample, the
 * limits and the runtime. The base side (HEAD) rarely changes, so its values are computed once per
 * commit and a later check runs only the target.
 *
 * In memory (the language server keeps it across runs) and, unless `--no-cache`, on disk under
 * `.git/featureguard/results/`: one file per entry, named by its key, numeric values as raw
 * float64 with a state byte per row, others as JSON; written atomically (tmp + rename), bounded in
 * total size (least recently used first out: a read touches the file's mtime; of what the last run
 * used, the sampled snapshot columns of `sampleCache.ts`, `s-…` files, go first), and a corrupt,
 * foreign or old-format file is ignored (deleted, then written again by the run that misses).
 *
 * Only deterministic outcomes are kept: an `ok` run with no non-deterministic rows (per-row errors
 * included: the same code on the same rows throws the same way). Timeouts, crashes, memory limits,
 * load/bundle failures and cancelled runs are never cached: they say nothing stable about the code.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, opendirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SideOutcome } from '../exec/featureRunner';
import { decodeValues, encodeValues, takeNumericForm, type WorkerResult } from '../exec/workerProtocol';

/** Bumped whenever the file layout or the key's parts change: older files are then foreign. */
export const RESULTS_FORMAT = 1;
const MAGIC = 'FGR1';

/** Default disk bound; `FEATUREGUARD_RESULTS_CACHE_MB` overrides it. */
const DEFAULT_MAX_MB = 256;
/** At most this many files, whatever their size. */
const MAX_FILES = 20_000;
/** Values held in memory across entries (two million numbers: two sides of a million-row feature; the disk keeps the rest). */
const MAX_MEMORY_VALUES = 2_000_000;

export function sideKey(parts: unknown): string {
  return createHash('sha1').update(JSON.stringify([RESULTS_FORMAT, parts])).digest('hex');
}

/** Whether an outcome may be cached (see the module comment). */
export function cacheable(outcome: SideOutcome | undefined): outcome is SideOutcome & { ok: true } {
  return !!outcome && outcome.ok && outcome.result.nondeterministic === 0;
}

export class ResultsCache {
  private readonly memory = new Map<string, WorkerResult>();
  private memoryValues = 0;
  private dir?: string;
  private written = false;
  /** When the current run began (`setDir`): what it used is the last to go (`prune`). */
  private runStarted = 0;
  /** Bytes of side results this cache wrote to disk (every run of the process together; sampled columns not counted: of what a run used, pruning drops them first). */
  writtenBytes = 0;

  /**
   * Where entries are kept on disk (undefined: memory only), set for a run: each check calls it
   * first, and `prune` keeps what the run used first.
   */
  setDir(dir: string | undefined): void {
    this.dir = dir;
    this.runStarted = Date.now();
  }

  /**
   * Whether an entry is there (in memory, or a file), without reading its values: a check looks
   * every side up before it runs any, and holding each hit's values from then on was a million
   * numbers per feature kept through a whole 200-feature check. `get` may still miss after a
   * true `has` (a file pruned or corrupt meanwhile).
   */
  has(key: string): boolean {
    if (this.memory.has(key)) return true;
    if (!this.dir || maxCacheBytes() === 0) return false;
    const file = join(this.dir, key);
    const valid = headerValid(file, key);
    // Corrupt, foreign or of an older format: gone, like a failed `get`.
    if (valid === false) remove(file);
    return !!valid;
  }

  /**
   * Whether any side result may be found: false when memory holds none and the directory holds no
   * side entry (a fresh clone, a CI machine, a bound of 0), so a check can start its workers before
   * it has computed a single key.
   */
  mayHold(): boolean {
    if (this.memory.size > 0) return true;
    if (!this.dir || maxCacheBytes() === 0) return false;
    try {
      const dir = opendirSync(this.dir);
      try {
        // Side results are bare hashes; sampled columns (`s-…`), costs.json and writes in progress are not.
        for (let e = dir.readSync(); e; e = dir.readSync()) if (/^[0-9a-f]{40}$/.test(e.name)) return true;
      } finally {
        dir.closeSync();
      }
      return false;
    } catch {
      return false; // no directory yet
    }
  }

  get(key: string): WorkerResult | undefined {
    const hit = this.memory.get(key);
    if (hit) {
      this.memory.delete(key);
      this.memory.set(key, hit);
      if (this.dir) touch(join(this.dir, key));
      return hit;
    }
    const result = this.readFile(key);
    if (result) this.remember(key, result);
    return result;
  }

  /**
   * Values kept on disk only, in the same files (the sampled snapshot columns of `sampleCache.ts`:
   * the language server holds those in its snapshot loader already). `extra` is small JSON.
   */
  getStored(key: string): { values: unknown[]; extra: unknown[] } | undefined {
    const r = this.readFile(key);
    return r && { values: r.values, extra: r.extraValues };
  }

  /**
   * Numbers kept on disk only (`setStored` with numbers, no null): the file's doubles as they are,
   * no array of values made (a sorted column of `sampleCache.ts`, read back at each check).
   */
  getStoredNumbers(key: string): Float64Array | undefined {
    return this.readFile(key, decodeNumbersEntry);
  }

  setStored(key: string, values: unknown[], extra: unknown[] = []): void {
    this.writeFile(key, { ok: true, values, extraValues: extra, errorCount: 0, errors: [], nondeterministic: 0, runMs: 0 });
  }

  private readFile(key: string): WorkerResult | undefined;
  private readFile<T>(key: string, decode: (bytes: Buffer, key: string) => T | undefined): T | undefined;
  private readFile(key: string, decode: (bytes: Buffer, key: string) => unknown = decodeEntry): unknown {
    // A bound of 0 is no disk cache at all: entries another run left are not read either.
    if (!this.dir || maxCacheBytes() === 0) return undefined;
    const file = join(this.dir, key);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      return undefined;
    }
    const result = decode(bytes, key);
    if (!result) {
      // Corrupt, foreign or of an older format: gone, and written again by this run.
      remove(file);
      return undefined;
    }
    touch(file);
    return result;
  }

  /** Keeps a cacheable result; failure to write to disk is not an error (the cache only saves time). */
  set(key: string, result: WorkerResult): void {
    this.remember(key, result);
    this.writtenBytes += this.writeFile(key, result);
    // Written or not, the values' wire form is not kept beside them (see takeNumericForm).
    takeNumericForm(result.values);
  }

  /** The bytes written (0: nothing). */
  private writeFile(key: string, result: WorkerResult): number {
    if (!this.dir || maxCacheBytes() === 0) return 0;
    const parts = entryParts(key, result);
    if (!parts) return 0;
    try {
      mkdirSync(this.dir, { recursive: true });
      const file = join(this.dir, key);
      const tmp = `${file}.${process.pid}.tmp`;
      writeParts(tmp, parts);
      renameSync(tmp, file);
      this.written = true;
      return parts.reduce((n, part) => n + part.length, 0);
    } catch {
      // A read-only git directory: the memory cache still works.
      return 0;
    }
  }

  /** Deletes the least recently used files beyond the bound; once per run, after its writes. */
  prune(): void {
    if (!this.dir || !this.written) return;
    this.written = false;
    const maxBytes = maxCacheBytes();
    try {
      const files = readdirSync(this.dir).flatMap((f) => {
        try {
          const st = statSync(join(this.dir!, f));
          return [{ f, size: st.size, t: st.mtimeMs }];
        } catch {
          return [];
        }
      });
      // Kept while within both bounds: first what this run used (written, or read: a read touches
      // the file), side results before sampled columns (`s-…`, cheaper to make again); then the
      // rest, newest first, whatever it holds. Sampled columns used to go before any side result
      // of any run; but every check reads its snapshot's columns, while the targets of edits since
      // undone are never read again, and 256 MB of those (three edits of 50 features at 100k
      // rows) pushed out every sampled column and sorted view, read and sorted again each check.
      // (The file system's clock may lag the process's by a tick: hence the slack.)
      const thisRun = (t: number) => (t >= this.runStarted - 50 ? 0 : 1);
      const sample = (f: string) => (f.startsWith('s-') ? 1 : 0);
      files.sort((a, b) => thisRun(a.t) - thisRun(b.t) || (thisRun(a.t) === 0 ? sample(a.f) - sample(b.f) : 0) || b.t - a.t);
      let total = 0;
      let kept = 0;
      const now = Date.now();
      for (const e of files) {
        // Another process's write in progress is left alone; an abandoned one goes.
        if (e.f.endsWith('.tmp')) {
          if (now - e.t > 60_000) remove(join(this.dir!, e.f));
          continue;
        }
        total += e.size;
        kept++;
        if (total > maxBytes || kept > MAX_FILES) remove(join(this.dir!, e.f));
      }
    } catch {
      // Pruning is best effort.
    }
  }

  private remember(key: string, result: WorkerResult): void {
    const old = this.memory.get(key);
    if (old) this.memoryValues -= old.values.length;
    this.memory.delete(key);
    this.memory.set(key, result);
    this.memoryValues += result.values.length;
    while (this.memoryValues > MAX_MEMORY_VALUES && this.memory.size > 1) {
      const [k, v] = this.memory.entries().next().value!;
      this.memory.delete(k);
      this.memoryValues -= v.values.length;
    }
  }
}

export function maxCacheBytes(): number {
  const mb = Number(process.env.FEATUREGUARD_RESULTS_CACHE_MB);
  return (Number.isFinite(mb) && mb >= 0 ? mb : DEFAULT_MAX_MB) * 1024 * 1024;
}

/** Deletes a file another process (a second check, the language server) may have deleted first. */
function remove(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Gone already.
  }
}

function touch(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // Missing (pruned by another process) or read-only: nothing to keep young.
  }
}

/** A value list as JSON, with what JSON cannot say (undefined, NaN, ±Infinity, -0) by index. */
interface JsonList {
  json: unknown[];
  special: Record<number, string>;
}

interface Header {
  magic: typeof MAGIC;
  format: number;
  key: string;
  length: number;
  /** `numbers`: the payload is float64 × length then a state byte × length; `json`: one JSON list. */
  encoding: 'numbers' | 'json';
  special?: Record<number, string>;
  extra: JsonList;
  errorCount: number;
  errors: WorkerResult['errors'];
  nondeterministic: number;
  runMs: number;
  missingColumns?: string[];
}

/** The file's bytes, or undefined when a value has no faithful JSON form (kept in memory only). */
export function encodeEntry(key: string, r: WorkerResult): Buffer | undefined {
  const parts = entryParts(key, r);
  return parts && Buffer.concat(parts);
}

/**
 * Writes `parts` one after another into a new file. No concatenation: a million-row entry is
 * 9 MB, and the language server's warm-up writes one per feature (two concatenated copies of each
 * were garbage for V8 to find).
 */
function writeParts(file: string, parts: Uint8Array[]): void {
  const fd = openSync(file, 'w');
  try {
    for (const part of parts) for (let at = 0; at < part.length; ) at += writeSync(fd, part, at, part.length - at);
  } finally {
    closeSync(fd);
  }
}

/** The file's bytes in order, undefined like `encodeEntry`; numeric values are views, not copies. */
function entryParts(key: string, r: WorkerResult): Uint8Array[] | undefined {
  const extra = jsonList(r.extraValues);
  if (!extra) return undefined;
  // The form a worker's reply came in when it is at hand: the same bytes, not encoded again.
  const wire = takeNumericForm(r.values) ?? encodeValues(r.values);
  let payload: Uint8Array[];
  let encoding: Header['encoding'];
  let special: Record<number, string> | undefined;
  if (Array.isArray(wire)) {
    const list = jsonList(wire);
    if (!list) return undefined;
    encoding = 'json';
    special = list.special;
    payload = [Buffer.from(JSON.stringify(list.json))];
  } else {
    encoding = 'numbers';
    payload = [new Uint8Array(wire.numbers.buffer, wire.numbers.byteOffset, wire.numbers.byteLength), new Uint8Array(wire.states.buffer, wire.states.byteOffset, wire.states.byteLength)];
  }
  const header: Header = {
    magic: MAGIC,
    format: RESULTS_FORMAT,
    key,
    length: r.values.length,
    encoding,
    ...(special ? { special } : {}),
    extra,
    errorCount: r.errorCount,
    errors: r.errors,
    nondeterministic: r.nondeterministic,
    runMs: r.runMs,
    ...(r.missingColumns ? { missingColumns: r.missingColumns } : {}),
  };
  // Padded with spaces (still JSON) so that the values start 8-byte aligned in the file: read
  // whole into a buffer of its own, they are a Float64Array view, not a copy.
  const json = JSON.stringify(header);
  const head = Buffer.from(json.padEnd(json.length + ((8 - (Buffer.byteLength(json) % 8)) % 8)));
  const prefix = Buffer.alloc(8);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(head.length, 4);
  return [prefix, head, ...payload];
}

/**
 * Whether a file's header is one of this format for `key`, with as many bytes after it as its
 * numeric values take (a JSON payload is only parsed by `decodeEntry`); undefined when there is no
 * file. Reads the header only.
 */
function headerValid(file: string, key: string): boolean | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const prefix = Buffer.alloc(8);
    if (readSync(fd, prefix, 0, 8, 0) < 8 || prefix.toString('latin1', 0, 4) !== MAGIC) return false;
    const headLength = prefix.readUInt32LE(4);
    const size = fstatSync(fd).size;
    if (8 + headLength > size) return false;
    const head = Buffer.alloc(headLength);
    if (readSync(fd, head, 0, headLength, 8) < headLength) return false;
    const h = JSON.parse(head.toString('utf8')) as Header;
    if (h.magic !== MAGIC || h.format !== RESULTS_FORMAT || h.key !== key || !Number.isInteger(h.length) || h.length < 0) return false;
    return h.encoding === 'json' || (h.encoding === 'numbers' && size === 8 + headLength + h.length * 9);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** An entry's header and payload, when the bytes are an entry of this format for `key`. */
function entryHeader(bytes: Buffer, key: string): { h: Header; payload: Buffer } | undefined {
  if (bytes.length < 8 || bytes.toString('latin1', 0, 4) !== MAGIC) return undefined;
  const headLength = bytes.readUInt32LE(4);
  if (8 + headLength > bytes.length) return undefined;
  const h = JSON.parse(bytes.toString('utf8', 8, 8 + headLength)) as Header;
  if (h.magic !== MAGIC || h.format !== RESULTS_FORMAT || h.key !== key || !Number.isInteger(h.length) || h.length < 0) return undefined;
  return { h, payload: bytes.subarray(8 + headLength) };
}

/** A numbers payload's doubles and state bytes. */
function numbersPayload(h: Header, payload: Buffer): { numbers: Float64Array; states: Uint8Array } | undefined {
  if (payload.length !== h.length * 9) return undefined;
  // A view where the values are 8-byte aligned (files written with a padded header); a copy otherwise.
  const aligned = payload.byteOffset % 8 === 0;
  const numbers = aligned ? new Float64Array(payload.buffer, payload.byteOffset, h.length) : new Float64Array(new Uint8Array(payload.subarray(0, h.length * 8)).buffer);
  return { numbers, states: payload.subarray(h.length * 8) };
}

/** `getStoredNumbers`' reading: the doubles of an entry of numbers only (every state 0), else undefined. */
function decodeNumbersEntry(bytes: Buffer, key: string): Float64Array | undefined {
  try {
    const entry = entryHeader(bytes, key);
    const wire = entry?.h.encoding === 'numbers' ? numbersPayload(entry.h, entry.payload) : undefined;
    if (!wire) return undefined;
    for (let i = 0; i < wire.states.length; i++) if (wire.states[i] !== 0) return undefined;
    return wire.numbers;
  } catch {
    return undefined;
  }
}

/** The result a file holds, or undefined when it is not a whole entry of this format for `key`. */
export function decodeEntry(bytes: Buffer, key: string): WorkerResult | undefined {
  try {
    const entry = entryHeader(bytes, key);
    if (!entry) return undefined;
    const { h, payload } = entry;
    let values: unknown[];
    if (h.encoding === 'numbers') {
      const wire = numbersPayload(h, payload);
      if (!wire) return undefined;
      values = decodeValues(wire);
    } else if (h.encoding === 'json') {
      const json = JSON.parse(payload.toString('utf8')) as unknown[];
      if (!Array.isArray(json) || json.length !== h.length) return undefined;
      values = fromJsonList({ json, special: h.special ?? {} });
    } else return undefined;
    if (!Array.isArray(h.extra?.json) || !Array.isArray(h.errors) || typeof h.errorCount !== 'number' || typeof h.nondeterministic !== 'number') return undefined;
    return {
      ok: true,
      values,
      extraValues: fromJsonList(h.extra),
      errorCount: h.errorCount,
      errors: h.errors,
      nondeterministic: h.nondeterministic,
      runMs: h.runMs,
      ...(h.missingColumns ? { missingColumns: h.missingColumns } : {}),
    };
  } catch {
    return undefined;
  }
}

function jsonList(values: unknown[]): JsonList | undefined {
  const json: unknown[] = new Array(values.length);
  const special: Record<number, string> = {};
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined) special[i] = 'undefined';
    else if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) special[i] = Object.is(v, -0) ? '-0' : String(v);
    else if (plain(v, 0)) {
      json[i] = v;
      continue;
    } else return undefined;
    json[i] = null;
  }
  return { json, special };
}

function fromJsonList(list: JsonList): unknown[] {
  const out = list.json.slice();
  for (const [i, s] of Object.entries(list.special)) out[Number(i)] = s === 'undefined' ? undefined : Number(s);
  return out;
}

/** Whether JSON gives `v` back exactly (plain data, finite numbers other than -0). */
function plain(v: unknown, depth: number): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (typeof v !== 'object' || depth > 20) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!(i in v) || !plain(v[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const x of Object.values(v)) if (!plain(x, depth + 1)) return false;
  return true;
}
