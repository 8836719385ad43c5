/**
 * Summarizes the modules of one side of the comparison that the analysis can need: those reached,
 * through imports and re-exports, from the roots a caller names (the config's feature files) and
 * from every file carrying an `@feature` tag. A module no feature can reach cannot change a
 * feature's impact, so it is neither parsed nor linked, and the cost follows what the features
 * use, not the size of the repository (in the bench's small workspaces, features reach 29 of 96
 * and 239 of 692 modules). A changed file is summarized on its own for the list of changes
 * (`summarizeFiles`), whether or not a feature reaches it.
 *
 * Summaries come from the cache where the content hash is known; the rest are read and parsed.
 * A file whose summary is not cached is read to look for `@feature`; one without it is remembered
 * in the cache by content (an empty "untagged" entry) so the next run need not read it again.
 *
 * Trees do not change once built, so what was reached in a tree is kept with it (per front end)
 * and grows when a later call names new roots: the language server asks for the same HEAD and
 * working tree at every keystroke, and an overlay (the editor's buffers over the working tree)
 * costs its overridden files and what they newly reach.
 */
import type { LanguageFrontEnd, ModuleSummary } from '../lang/frontEnd';
import type { SummaryCache } from '../cache/summaryCache';
import { forEachLoaded } from '../graph/symbolGraph';
import { OverlayTree, type SourceTree } from '../sources/sourceTree';

interface TreeSummaries {
  frontEnd: LanguageFrontEnd;
  /** Every module reached so far, by path. */
  reached: Map<string, ModuleSummary>;
  /**
   * `reached` in the order callers iterate: a tree's paths; for an overlay, the order below with its
   * overridden files after it (as the full summaries of earlier versions were), rebuilt when it grows.
   */
  modules: Map<string, ModuleSummary>;
  /** The cache keys consulted here (summaries and untagged entries), marked used whenever the tree is asked again. */
  keys: Set<string>;
  /** An overlay's: the tree below's, whose keys count as consulted too (not copied per keystroke). */
  below?: TreeSummaries;
  /** The roots already followed. */
  roots: Set<string>;
}

const byTree = new WeakMap<SourceTree, TreeSummaries>();

/** An empty summary stored under a content's "untagged" key: the file has no `@feature` tag. */
const UNTAGGED: ModuleSummary = { decls: [], imports: [], exports: [], syntaxErrors: [] };

/**
 * The summaries of the modules reached from `roots` and from the files tagged `@feature`, in the
 * order of `tree.paths()` (an overlay's: the tree below's, then its overridden files). Paths a side
 * does not have, or the front end does not handle, are ignored as roots.
 */
export async function summarizeTree(tree: SourceTree, frontEnd: LanguageFrontEnd, cache: SummaryCache, roots: Iterable<string>): Promise<Map<string, ModuleSummary>> {
  return (await summaries(tree, frontEnd, cache, [...roots])).modules;
}

async function summaries(tree: SourceTree, frontEnd: LanguageFrontEnd, cache: SummaryCache, roots: string[]): Promise<TreeSummaries> {
  let state = byTree.get(tree);
  if (state && state.frontEnd !== frontEnd) state = undefined;
  if (state) {
    for (let s: TreeSummaries | undefined = state; s; s = s.below) cache.touch(s.keys);
    const fresh = roots.filter((r) => !state!.roots.has(r));
    if (fresh.length === 0) return state;
    const before = state.reached.size;
    await reach(tree, state, cache, fresh);
    if (state.reached.size !== before) state.modules = inPathOrder(tree, state.reached);
    return state;
  }
  state = tree instanceof OverlayTree ? await overlaid(tree, frontEnd, cache, roots) : await scanned(tree, frontEnd, cache, roots);
  byTree.set(tree, state);
  return state;
}

/**
 * A tree read from git or the file system: every path is looked at once for `@feature` tags (from
 * the cached summary, the cached untagged entry, or the file's text), then the roots are followed.
 */
async function scanned(tree: SourceTree, frontEnd: LanguageFrontEnd, cache: SummaryCache, roots: string[]): Promise<TreeSummaries> {
  const state: TreeSummaries = { frontEnd, reached: new Map(), modules: new Map(), keys: new Set(), roots: new Set() };
  const tagged: string[] = [];
  const unknown: string[] = [];
  for (const path of tree.paths()) {
    if (!frontEnd.handles(path)) continue;
    const hash = tree.hash(path)!;
    const key = cacheKey(frontEnd, path, hash);
    const summary = cache.get(key);
    if (summary) {
      state.keys.add(key);
      if (summary.decls.some((d) => d.featureTags?.length)) tagged.push(path);
      continue;
    }
    const untagged = cacheKey(frontEnd, path, hash, 'untagged:');
    if (cache.get(untagged)) state.keys.add(untagged);
    else unknown.push(path);
  }
  if (unknown.length > 0) {
    // The files not cached are mostly parsed in a run that has many (a first run): the parser
    // loads while they are read, and the tree keeps what it read for the parse.
    const texts = await readWhilePreparing(tree, frontEnd, unknown);
    for (const path of unknown) {
      const text = texts.get(path);
      if (text === undefined) continue;
      if (text.includes('@feature')) tagged.push(path);
      else {
        const untagged = cacheKey(frontEnd, path, tree.hash(path)!, 'untagged:');
        cache.set(untagged, UNTAGGED);
        state.keys.add(untagged);
      }
    }
  }
  await reach(tree, state, cache, [...roots, ...tagged]);
  state.modules = inPathOrder(tree, state.reached);
  return state;
}

/**
 * An overlay: what the tree below reached (its roots followed too), with the overridden files it
 * had reached summarized again and what they now import added. An overridden file nothing reached
 * stays out unless it now carries a tag: its edit reaches no feature, so the modules (and the
 * graph built on them) stay those of the tree below, and a keystroke in such a file costs its own
 * summary (`summarizeFiles`, for the list of changes) only.
 */
async function overlaid(tree: OverlayTree, frontEnd: LanguageFrontEnd, cache: SummaryCache, roots: string[]): Promise<TreeSummaries> {
  const below = await summaries(tree.under, frontEnd, cache, roots);
  const state: TreeSummaries = { frontEnd, reached: new Map(below.reached), modules: new Map(), keys: new Set(), below, roots: new Set() };
  const changed: string[] = [];
  for (const [path, entry] of tree.overrides) {
    const wasReached = state.reached.delete(path);
    if (entry && (wasReached || (frontEnd.handles(path) && entry.text.includes('@feature')))) changed.push(path);
  }
  await reach(tree, state, cache, [...roots, ...changed]);
  // The order below, the overridden files after it, then what they newly reach: no pass over
  // every path at each keystroke.
  for (const [path, summary] of below.modules) if (!tree.overrides.has(path)) state.modules.set(path, summary);
  for (const path of tree.overrides.keys()) {
    const summary = state.reached.get(path);
    if (summary) state.modules.set(path, summary);
  }
  for (const [path, summary] of state.reached) if (!state.modules.has(path)) state.modules.set(path, summary);
  return state;
}

/**
 * The summaries of `paths` on one side (those it has and the front end handles), taken from
 * `known` (a side's reached modules) where there, else from the cache or parsed: the changed
 * files, compared declaration by declaration whether or not a feature reaches them.
 */
export async function summarizeFiles(tree: SourceTree, frontEnd: LanguageFrontEnd, cache: SummaryCache, paths: readonly string[], known: Map<string, ModuleSummary>): Promise<Map<string, ModuleSummary>> {
  const out = new Map<string, ModuleSummary>();
  const toParse: string[] = [];
  for (const path of paths) {
    if (!frontEnd.handles(path) || !tree.has(path)) continue;
    const summary = known.get(path) ?? cache.get(cacheKey(frontEnd, path, tree.hash(path)!));
    if (summary) out.set(path, summary);
    else toParse.push(path);
  }
  if (toParse.length > 0) await parseInto(tree, frontEnd, cache, toParse, out);
  return out;
}

/** Follows `roots` through what each module loads, summarizing what is new into `state.reached`. */
async function reach(tree: SourceTree, state: TreeSummaries, cache: SummaryCache, roots: string[]): Promise<void> {
  const { frontEnd, reached } = state;
  for (const r of roots) state.roots.add(r);
  // A module of this side's language: a specifier resolves, as the graph resolves it over every
  // module, to the first candidate that is one (not to a file the front end does not read).
  const exists = (p: string) => frontEnd.handles(p) && tree.has(p);
  let pending = roots;
  while (pending.length > 0) {
    const batch = [...new Set(pending)].filter((p) => !reached.has(p) && exists(p));
    pending = [];
    const toParse: string[] = [];
    for (const path of batch) {
      const key = cacheKey(frontEnd, path, tree.hash(path)!);
      const summary = cache.get(key);
      state.keys.add(key);
      if (summary) reached.set(path, summary);
      else toParse.push(path);
    }
    if (toParse.length > 0) await parseInto(tree, frontEnd, cache, toParse, reached);
    for (const path of batch) {
      const summary = reached.get(path);
      if (!summary) continue;
      forEachLoaded(frontEnd, path, summary, (spec) => {
        const target = frontEnd.resolveImport(path, spec, exists);
        if (target !== undefined && !reached.has(target)) pending.push(target);
      });
    }
  }
}

/** `reached` in the order of `tree.paths()`. */
function inPathOrder(tree: SourceTree, reached: Map<string, ModuleSummary>): Map<string, ModuleSummary> {
  const out = new Map<string, ModuleSummary>();
  for (const path of tree.paths()) {
    const summary = reached.get(path);
    if (summary) out.set(path, summary);
  }
  return out;
}

/** Reads and summarizes `paths` (none of them cached), keeping each summary in the cache and in `into`. */
async function parseInto(tree: SourceTree, frontEnd: LanguageFrontEnd, cache: SummaryCache, paths: string[], into: Map<string, ModuleSummary>): Promise<void> {
  const texts = await readWhilePreparing(tree, frontEnd, paths);
  for (const path of paths) {
    const text = texts.get(path);
    if (text === undefined) continue;
    const summary = frontEnd.summarize(path, text);
    cache.set(cacheKey(frontEnd, path, tree.hash(path)!), summary);
    into.set(path, summary);
  }
}

/** Reads `paths` (by git or the file system) while the front end loads its parser for them. */
async function readWhilePreparing(tree: SourceTree, frontEnd: LanguageFrontEnd, paths: string[]): Promise<Map<string, string>> {
  const reading = tree.readMany(paths);
  reading.catch(() => undefined); // awaited below
  await frontEnd.prepare?.(paths);
  return reading;
}

/**
 * A content's key in the summary cache: its summary, or with `kind` `untagged:` the note that it
 * has no `@feature` tag. The parse mode depends on the extension (`.tsx` vs `.ts`), so it is part.
 */
function cacheKey(frontEnd: LanguageFrontEnd, path: string, hash: string, kind: '' | 'untagged:' = ''): string {
  const ext = path.slice(path.lastIndexOf('.') + 1);
  return `${frontEnd.cacheKey}:${kind}${ext}:${hash}`;
}
