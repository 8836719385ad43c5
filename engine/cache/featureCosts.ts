/**
 * What each feature last cost to check (ms: both sides' run times and its statistics), kept beside
 * the results cache in `.git/featureguard/results/costs.json`, so `check --shard I/N` can balance
 * shards by measured cost instead of by count.
 *
 * Every shard of one run must compute the same partition, so a shard never changes the costs the
 * partition of its own run reads: a sharded run records what it measured as `next`, tagged with its
 * run (base, target, affected features, shard count); the first sharded run of a *different* run
 * folds `next` into `current` before partitioning. Shards run one after another in one clone thus
 * agree, and CI shards that restored the same cache agree. Unsharded runs (the CLI, the hook, the
 * editor) write `current` directly. Each shard report names the costs it partitioned by
 * (`shard.costBasis`); `merge-reports` refuses shards that disagree.
 *
 * A missing, corrupt or foreign file is no costs at all (shards fall back to counting features); a
 * failed write is ignored (costs only balance, they never decide a result).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const COSTS_FILE = 'costs.json';
const FORMAT = 1;
/** Names kept, most recently measured first. */
const MAX_NAMES = 10_000;

interface CostsFile {
  format: typeof FORMAT;
  current: Record<string, number>;
  next?: Record<string, number>;
  nextRun?: string;
}

export function readCostsFile(dir: string): CostsFile {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, COSTS_FILE), 'utf8')) as Partial<CostsFile>;
    if (parsed.format !== FORMAT || !isCosts(parsed.current) || (parsed.next !== undefined && !isCosts(parsed.next))) return empty();
    return { format: FORMAT, current: parsed.current, ...(parsed.next ? { next: parsed.next, nextRun: String(parsed.nextRun ?? '') } : {}) };
  } catch {
    return empty();
  }
}

/** The costs a sharded run `runId` partitions by: `next` of another run folded into `current`. */
export function costsForShards(file: CostsFile, runId: string): { costs: Map<string, number>; file: CostsFile } {
  const promoted = file.next && file.nextRun !== runId ? { format: FORMAT, current: { ...file.current, ...file.next } } : file;
  return { costs: new Map(Object.entries(promoted.current)), file: promoted as CostsFile };
}

/** Records measured costs: into `current` for an unsharded run, into `next` for shard runs of `shardRun`. */
export function recordCosts(dir: string, measured: ReadonlyMap<string, number>, shardRun?: string): void {
  if (measured.size === 0) return;
  // Read again: another process may have written since this run started.
  const onDisk = readCostsFile(dir);
  let out: CostsFile;
  if (shardRun === undefined) out = { ...onDisk, current: add(onDisk.current, measured) };
  else {
    const promoted = costsForShards(onDisk, shardRun).file;
    out = { format: FORMAT, current: promoted.current, next: add(promoted.nextRun === shardRun ? promoted.next : undefined, measured), nextRun: shardRun };
  }
  try {
    mkdirSync(dir, { recursive: true });
    const target = join(dir, COSTS_FILE);
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(out));
    renameSync(tmp, target);
  } catch {
    // A read-only git directory: shards count features instead.
  }
}

/**
 * The cost of each of `names` for the partition, and what it was based on: `count` when no name has
 * a measured cost (every cost 1), otherwise `measured:<hash of the costs used>` — a name without a
 * measurement costs the mean of those with one.
 */
export function shardCosts(names: readonly string[], known: ReadonlyMap<string, number>): { cost: (name: string) => number; basis: string } {
  const measured = names.filter((n) => known.has(n));
  if (measured.length === 0) return { cost: () => 1, basis: 'count' };
  const mean = Math.max(1, Math.round(measured.reduce((s, n) => s + known.get(n)!, 0) / measured.length));
  const costs = new Map(names.map((n) => [n, known.get(n) ?? mean]));
  const sorted = [...costs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const basis = `measured:${createHash('sha1').update(JSON.stringify(sorted)).digest('hex').slice(0, 12)}`;
  return { cost: (n) => costs.get(n) ?? mean, basis };
}

function isCosts(v: unknown): v is Record<string, number> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0);
}

function empty(): CostsFile {
  return { format: FORMAT, current: {} };
}

/** `costs` with `measured` (rounded, at least 1 ms) written last; at most MAX_NAMES names, the last written. */
function add(costs: Record<string, number> | undefined, measured: ReadonlyMap<string, number>): Record<string, number> {
  const entries = Object.entries(costs ?? {}).filter(([n]) => !measured.has(n));
  for (const [n, ms] of measured) entries.push([n, Math.max(1, Math.round(ms))]);
  return Object.fromEntries(entries.slice(Math.max(0, entries.length - MAX_NAMES)));
}
