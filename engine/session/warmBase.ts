/**
 * Warming the base values: every feature's values on HEAD's code, computed ahead of any edit and
 * kept in the results cache (memory and `.git/featureguard/results/`), so that the next check — in
 * the editor, the CLI or the hook — finds its base side cached and runs only the target.
 *
 * A warm-up is a check whose target is HEAD itself and whose features are all of HEAD's, each as
 * "new" (no base side): `checkImpact` with `valuesOnly` runs only that side — one bundle, one
 * worker, one feature after another — and stores each outcome under the very key a later check
 * computes for its base (the sides of the key are interchangeable: same closure fingerprint,
 * modules, columns, config, snapshot and runtime). No statistics, no stored column, no models. The
 * token stops it at once (the worker is killed). Features finished — run, found cached, or failed
 * in a way the cache does not keep (a timeout) — are remembered in `warmed` one by one, so a
 * resumed warm-up starts where the last one stopped and never runs a feature twice for the same code.
 * A pass stops before its writes would pass the disk cache's bound (pruning would evict the values
 * it warmed first); the features it leaves are counted (`overBound`) and not tried again for that code.
 */
import type { ImpactResult } from '../analysis/impact';
import { sideFeatures } from '../analysis/sideFeatures';
import { maxCacheBytes } from '../cache/resultsCache';
import type { CancellationToken } from '../errors';
import { CancelledError, throwIfCancelled } from '../errors';
import type { SymbolGraph } from '../graph/symbolGraph';
import { checkImpact, type CheckCaches, type DataOptions } from '../runCheck';
import type { Workspace } from '../workspace';

/**
 * Features per batch. A batch costs a bundle, a worker and the sample's transfer to it: 0.5–1 s on
 * the 500-module benchmark workspace, where 50 features took 9–10 s in batches of 5 and 4.3 s in
 * one. Progress and resumption are per feature anyway (`onFeatureDone`, and each value is stored
 * as it arrives), and a cancelled batch stops at once (its worker is killed).
 */
export const WARM_BATCH = 50;

export interface WarmProgress {
  /** Features with a snapshot that HEAD has. */
  total: number;
  /** Of those, warmed (in this pass or an earlier one). */
  done: number;
  /** Ran in this pass. */
  computed: number;
  /** Found in the results cache in this pass. */
  cached: number;
  /**
   * Left unwarmed because the disk cache's bound is reached (`maxCacheBytes`): warming them would
   * only evict values warmed before them. Not tried again for the same code.
   */
  overBound: number;
}

export interface WarmInput {
  /** The workspace as the session holds it: its base side is HEAD. */
  ws: Workspace;
  /** HEAD's symbol graph. */
  graph: SymbolGraph;
  /** The session's caches: snapshots read and the results cache are shared with its checks. */
  caches: CheckCaches;
  /** What earlier passes finished (keys from `warmKey`); grows as features finish. */
  warmed: Set<string>;
  token: CancellationToken;
  /** Called before the first feature that has work and after each feature. */
  onProgress?: (p: WarmProgress) => void;
  batchSize?: number;
  /** See `DataOptions.collect`. */
  collect?: DataOptions['collect'];
}

export async function warmBaseValues(input: WarmInput): Promise<WarmProgress> {
  const { ws, graph, caches, warmed, token } = input;
  const { all, features } = sideFeatures(graph, ws.config);
  const withData = features.filter((a) => a.feature.snapshot && ws.config.snapshots.has(a.feature.snapshot));
  // A snapshot's identity (a stat, or a remote object's version) once per pass.
  const identities = new Map<string, Promise<string>>();
  const identityOf = (name: string) => identities.get(name) ?? identities.set(name, caches.snapshots.identityOf(ws.config, name)).get(name)!;
  const keyOf = new Map<ImpactResult['features'][number], string>();
  for (const a of withData) keyOf.set(a, warmKey(ws, graph, a, await identityOf(a.feature.snapshot!)));
  const todo = withData.filter((a) => !warmed.has(keyOf.get(a)!));
  const progress: WarmProgress = { total: withData.length, done: withData.length - todo.length, computed: 0, cached: 0, overBound: 0 };
  if (todo.length === 0) return progress;
  // HEAD on both sides: every feature is new there, so only its target side — HEAD — runs.
  const headWs: Workspace = { ...ws, sides: { ...ws.sides, target: ws.sides.base, changedPaths: [] }, targetLabel: ws.baseLabel };
  // Shares what is read and cached; its own feature results (a warm-up's are not a check's).
  const warmCaches: CheckCaches = { snapshots: caches.snapshots, sides: caches.sides, results: new Map(), modelValues: new Map() };
  const size = Math.max(1, input.batchSize ?? WARM_BATCH);
  input.onProgress?.({ ...progress });
  // The pass stops when one more value as large as the largest it wrote would take what it wrote
  // past the disk cache's bound: pruning would then evict its own values (200 features of a million
  // rows are ~1.8 GB against a 256 MB default).
  const bound = maxCacheBytes();
  const writtenBefore = caches.sides.writtenBytes;
  let writtenAtLast = writtenBefore;
  let largest = 0;
  const full = () => bound > 0 && caches.sides.writtenBytes - writtenBefore + largest > bound;
  const stop: CancellationToken = { get isCancellationRequested() { return token.isCancellationRequested || full(); } };
  // Each feature is warmed (its value stored) as it finishes, whatever happens to the batch after.
  const onFeatureDone = (a: ImpactResult['features'][number], ran?: boolean) => {
    const key = keyOf.get(a);
    if (key === undefined || warmed.has(key)) return;
    warmed.add(key);
    progress.done++;
    largest = Math.max(largest, caches.sides.writtenBytes - writtenAtLast);
    writtenAtLast = caches.sides.writtenBytes;
    if (ran === true) progress.computed++;
    else if (ran === false) progress.cached++;
    if (!token.isCancellationRequested) input.onProgress?.({ ...progress });
  };
  for (let i = 0; i < todo.length; i += size) {
    throwIfCancelled(token);
    if (full()) return overBound(progress, todo.slice(i), keyOf, warmed);
    const batch = todo.slice(i, i + size);
    const impact: ImpactResult = { changes: [], features: batch, findings: [], allFeatures: all, baseGraph: graph, targetGraph: graph };
    try {
      await checkImpact(headWs, impact, { execute: true, valuesOnly: true, onFeatureDone, collect: input.collect }, warmCaches, stop);
    } catch (err) {
      if (err instanceof CancelledError && !token.isCancellationRequested && full()) return overBound(progress, batch, keyOf, warmed);
      throw err;
    }
    throwIfCancelled(token);
    // A feature with no run (none in practice: HEAD's features are new and whole) is done too.
    for (const a of batch) onFeatureDone(a);
  }
  return progress;
}

/** Ends a pass at the cache's bound: the features not warmed are marked done (for this code) and counted. */
function overBound(progress: WarmProgress, rest: ImpactResult['features'], keyOf: Map<ImpactResult['features'][number], string>, warmed: Set<string>): WarmProgress {
  for (const a of rest) {
    const key = keyOf.get(a)!;
    if (warmed.has(key)) continue;
    warmed.add(key);
    progress.overBound++;
  }
  return progress;
}

/**
 * What a feature's warmed values depend on, short of the results cache's own key (which needs the
 * columns its code reads): its code (fingerprint, and the content of the modules it loads), its
 * running config, the snapshot's identity, the time limit and the interpreter. A feature whose run
 * failed in a way the cache does not keep is not run again until one of these changes.
 */
function warmKey(ws: Workspace, graph: SymbolGraph, a: ImpactResult['features'][number], identity: string): string {
  const f = a.feature;
  const modules = graph.moduleClosure(f.file).map((m) => `${m}\0${ws.sides.base.hash(m)}`);
  const runtime = [ws.config.python, ws.editorPython ?? null];
  return JSON.stringify([a.targetFingerprint, modules, f.name, f.source, f.kind, f.output, f.examples, f.column, identity, ws.config.snapshots.get(f.snapshot!), ws.config.timeoutMs, runtime]);
}
