/**
 * Summarizes every file a front end handles on one side of the comparison, from the cache where
 * the content hash is known, reading and parsing only the rest.
 *
 * Trees do not change once built, so a tree's summaries are kept with it (per front end): the
 * language server asks for the same HEAD and working tree at every keystroke, and an overlay (the
 * editor's buffers over the working tree) costs its overridden files plus a copy of the map below.
 */
import type { LanguageFrontEnd, ModuleSummary } from '../lang/frontEnd';
import type { SummaryCache } from '../cache/summaryCache';
import { OverlayTree, type SourceTree } from '../sources/sourceTree';

interface TreeSummaries {
  frontEnd: LanguageFrontEnd;
  modules: Map<string, ModuleSummary>;
  /** The cache keys of `modules`, marked used whenever the tree is asked again. */
  keys: string[];
}

const byTree = new WeakMap<SourceTree, TreeSummaries>();

export async function summarizeTree(tree: SourceTree, frontEnd: LanguageFrontEnd, cache: SummaryCache): Promise<Map<string, ModuleSummary>> {
  return (await summaries(tree, frontEnd, cache)).modules;
}

async function summaries(tree: SourceTree, frontEnd: LanguageFrontEnd, cache: SummaryCache): Promise<TreeSummaries> {
  const known = byTree.get(tree);
  if (known && known.frontEnd === frontEnd) {
    cache.touch(known.keys);
    return known;
  }
  const result = tree instanceof OverlayTree ? await overlaid(tree, frontEnd, cache) : await summarizeAll(tree, frontEnd, cache);
  byTree.set(tree, result);
  return result;
}

/** The tree below with the overridden files summarized again, in the order `tree.paths()` gives. */
async function overlaid(tree: OverlayTree, frontEnd: LanguageFrontEnd, cache: SummaryCache): Promise<TreeSummaries> {
  const below = await summaries(tree.under, frontEnd, cache);
  const modules = new Map(below.modules);
  const keys = new Set(below.keys);
  const texts = new Map<string, string>();
  const toParse: string[] = [];
  for (const [path, entry] of tree.overrides) {
    modules.delete(path);
    if (!entry || !frontEnd.handles(path)) continue;
    const summary = cache.get(cacheKey(frontEnd, path, entry.hash));
    if (!summary) {
      toParse.push(path);
      texts.set(path, entry.text);
    }
  }
  if (toParse.length > 0) await frontEnd.prepare?.(toParse);
  for (const [path, entry] of tree.overrides) {
    if (!entry || !frontEnd.handles(path)) continue;
    const key = cacheKey(frontEnd, path, entry.hash);
    let summary = cache.get(key);
    if (!summary) cache.set(key, (summary = frontEnd.summarize(path, texts.get(path) ?? entry.text)));
    modules.set(path, summary);
    keys.add(key);
  }
  return { frontEnd, modules, keys: [...keys] };
}

async function summarizeAll(tree: SourceTree, frontEnd: LanguageFrontEnd, cache: SummaryCache): Promise<TreeSummaries> {
  const out = new Map<string, ModuleSummary>();
  const keys: string[] = [];
  const toParse: string[] = [];
  for (const path of tree.paths()) {
    if (!frontEnd.handles(path)) continue;
    const key = cacheKey(frontEnd, path, tree.hash(path)!);
    const summary = cache.get(key);
    if (summary) out.set(path, summary);
    else toParse.push(path);
    keys.push(key);
  }
  if (toParse.length > 0) {
    // Read (by git or the file system) while the front end loads its parser.
    const reading = tree.readMany(toParse);
    reading.catch(() => undefined); // awaited below
    await frontEnd.prepare?.(toParse);
    const texts = await reading;
    for (const path of toParse) {
      const text = texts.get(path);
      if (text === undefined) continue;
      const summary = frontEnd.summarize(path, text);
      cache.set(cacheKey(frontEnd, path, tree.hash(path)!), summary);
      out.set(path, summary);
    }
  }
  return { frontEnd, modules: out, keys };
}

/** The parse mode depends on the extension (`.tsx` vs `.ts`), so it is part of the key. */
function cacheKey(frontEnd: LanguageFrontEnd, path: string, hash: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1);
  return `${frontEnd.cacheKey}:${ext}:${hash}`;
}
