/**
 * Summarizes every file a front end handles on one side of the comparison, from the cache where
 * the content hash is known, reading and parsing only the rest.
 */
import type { LanguageFrontEnd, ModuleSummary } from '../lang/frontEnd';
import type { SummaryCache } from '../cache/summaryCache';
import type { SourceTree } from '../sources/sourceTree';

export async function summarizeTree(tree: SourceTree, frontEnd: LanguageFrontEnd, cache: SummaryCache): Promise<Map<string, ModuleSummary>> {
  const out = new Map<string, ModuleSummary>();
  const toParse: string[] = [];
  for (const path of tree.paths()) {
    if (!frontEnd.handles(path)) continue;
    const summary = cache.get(cacheKey(frontEnd, path, tree.hash(path)!));
    if (summary) out.set(path, summary);
    else toParse.push(path);
  }
  if (toParse.length > 0) {
    await frontEnd.prepare?.(toParse);
    const texts = await tree.readMany(toParse);
    for (const path of toParse) {
      const text = texts.get(path);
      if (text === undefined) continue;
      const summary = frontEnd.summarize(path, text);
      cache.set(cacheKey(frontEnd, path, tree.hash(path)!), summary);
      out.set(path, summary);
    }
  }
  return out;
}

/** The parse mode depends on the extension (`.tsx` vs `.ts`), so it is part of the key. */
function cacheKey(frontEnd: LanguageFrontEnd, path: string, hash: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1);
  return `${frontEnd.cacheKey}:${ext}:${hash}`;
}
