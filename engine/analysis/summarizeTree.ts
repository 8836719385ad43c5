/**
 * Summarizes the modules of one side of the comparison that the analysis can need: those reached,
 * through imports and re-exports, from the roots a caller names (the config's feature files, the
 * changed files) and from every file carrying an `@feature` tag. A module no feature can reach
 * and that did not change cannot change a feature's impact, so it is neither parsed nor linked:
 * the cost follows what the features use, not the size of the repository (in the bench's small
 * workspaces, features reach 29 of 96 and 239 of 692 modules).
 *
 * Summaries come from the cache where the content hash is known; the rest are read and parsed.
 * A file whose summary is not cached is read to look for `@feature`; one without it is remembered
 * in the cache by content (an empty "untagged" entry) so the next run need not read it again.
 *
 * Trees do not change once built, so what was reached in a tree is kept with it (per front end)
 * and grows when a later call names new roots: the language server asks for the same HEAD and
 * working tree at every keystroke, and an overlay (the editor's buffers over the working tree)
 * costs its overridden files, what they newly reach, and a pass over the tree's paths.
 */
import type { LanguageFrontEnd, ModuleSummary } from '../lang/frontEnd';
import type { SummaryCache } from '../cache/summaryCache';
import { forEachLoaded } from '../graph/symbolGraph';
import { OverlayTree, type SourceTree } from '../sources/sourceTree';

interface TreeSummaries {
  frontEnd: LanguageFrontEnd;
  /** Every module reached so far, by path. */
  reached: Map<string, ModuleSummary>;
  /** `reached` in the order of `tree.paths()` (what callers iterate), rebuilt when it grows. */
  modules: Map<string, ModuleSummary>;
  /** The cache keys consulted (summaries and untagged entries), marked used whenever the tree is asked again. */
  keys: Set<string>;
  /** The roots already followed. */
  roots: Set<string>;
}

const byTree = new WeakMap<SourceTree, TreeSummaries>();

/** An empty summary stored under a content's "untagged" key: the file has no `@feature` tag. */
const UNTAGGED: ModuleSummary = { decls: [], imports: [], exports: [], syntaxErrors: [] };

/**
 * The summaries of the modules reached from `roots` and from the files tagged `@feature`, in the
 * order of `tree.paths()`. Paths a side does not have, or the front end does not handle, are
 * ignored as roots.
 */
export async function summarizeTree(tree: SourceTree, frontEnd: LanguageFrontEnd, cache: SummaryCache, roots: Iterable<string>): Promise<Map<string, ModuleSummary>> {
  return (await summaries(tree, frontEnd, cache, [...roots])).modules;
}

async function summaries(tree: SourceTree, frontEnd: LanguageFrontEnd, cache: SummaryCache, roots: string[]): Promise<TreeSummaries> {
  let state = byTree.get(tree);
  if (state && state.frontEnd !== frontEnd) state = undefined;
  if (state) {
    cache.touch([...state.keys]);
    const fresh = roots.filter((r) => !state!.roots.has(r));
    if (fresh.length === 0) return state;
    await reach(tree, state, cache, fresh);
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
    const untagged = untaggedKey(frontEnd, path, hash);
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
        const untagged = untaggedKey(frontEnd, path, tree.hash(path)!);
        cache.set(untagged, UNTAGGED);
        state.keys.add(untagged);
      }
    }
  }
  await reach(tree, state, cache, [...roots, ...tagged]);
  return state;
}

/**
 * An overlay: what the tree below reached (its roots followed too), with the overridden files
 * summarized again and what they reach added.
 */
async function overlaid(tree: OverlayTree, frontEnd: LanguageFrontEnd, cache: SummaryCache, roots: string[]): Promise<TreeSummaries> {
  const below = await summaries(tree.under, frontEnd, cache, roots);
  const state: TreeSummaries = { frontEnd, reached: new Map(below.reached), modules: new Map(), keys: new Set(below.keys), roots: new Set() };
  const changed: string[] = [];
  for (const [path, entry] of tree.overrides) {
    state.reached.delete(path);
    if (entry) changed.push(path);
  }
  await reach(tree, state, cache, [...roots, ...changed]);
  return state;
}

/** Follows `roots` through what each module loads, summarizing what is new; then orders the modules. */
async function reach(tree: SourceTree, state: TreeSummaries, cache: SummaryCache, roots: string[]): Promise<void> {
  const { frontEnd, reached } = state;
  const before = reached.size;
  for (const r of roots) state.roots.add(r);
  // A module of this side's language: a specifier resolves, as the graph resolves it over every
  // module, to the first candidate that is one (not to a file the front end does not read).
  const exists = (p: string) => frontEnd.handles(p) && tree.has(p);
  let pending = roots;
  while (pending.length > 0) {
    const batch = [...new Set(pending)].filter((p) => !reached.has(p) && frontEnd.handles(p) && tree.has(p));
    pending = [];
    const toParse: string[] = [];
    for (const path of batch) {
      const key = cacheKey(frontEnd, path, tree.hash(path)!);
      const summary = cache.get(key);
      state.keys.add(key);
      if (summary) reached.set(path, summary);
      else toParse.push(path);
    }
    if (toParse.length > 0) {
      const texts = await readWhilePreparing(tree, frontEnd, toParse);
      for (const path of toParse) {
        const text = texts.get(path);
        if (text === undefined) continue;
        const summary = frontEnd.summarize(path, text);
        cache.set(cacheKey(frontEnd, path, tree.hash(path)!), summary);
        reached.set(path, summary);
      }
    }
    for (const path of batch) {
      const summary = reached.get(path);
      if (!summary) continue;
      forEachLoaded(frontEnd, path, summary, (spec) => {
        const target = frontEnd.resolveImport(path, spec, exists);
        if (target !== undefined && !reached.has(target)) pending.push(target);
      });
    }
  }
  if (reached.size !== before || state.modules.size !== reached.size) {
    state.modules = new Map();
    for (const path of tree.paths()) {
      const summary = reached.get(path);
      if (summary) state.modules.set(path, summary);
    }
  }
}

/** Reads `paths` (by git or the file system) while the front end loads its parser for them. */
async function readWhilePreparing(tree: SourceTree, frontEnd: LanguageFrontEnd, paths: string[]): Promise<Map<string, string>> {
  const reading = tree.readMany(paths);
  reading.catch(() => undefined); // awaited below
  await frontEnd.prepare?.(paths);
  return reading;
}

/** The parse mode depends on the extension (`.tsx` vs `.ts`), so it is part of the key. */
function cacheKey(frontEnd: LanguageFrontEnd, path: string, hash: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1);
  return `${frontEnd.cacheKey}:${ext}:${hash}`;
}

/** The key under which a content is remembered to hold no `@feature` tag (so it is not read again). */
function untaggedKey(frontEnd: LanguageFrontEnd, path: string, hash: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1);
  return `${frontEnd.cacheKey}:untagged:${ext}:${hash}`;
}
