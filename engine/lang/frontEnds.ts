/**
 * The workspace's languages behind one `LanguageFrontEnd`: each file goes to the front end that
 * handles it (TypeScript/JavaScript, Python), so the graph, impact analysis and caches stay
 * language-blind and one config can mix languages. Imports resolve within a language.
 */
import type { LanguageFrontEnd } from './frontEnd';
import { createPythonFrontEnd } from './python/pythonFrontEnd';
import { typescriptFrontEnd } from './typescript/typescriptFrontEnd';

/** Every front end, Python resolving absolute imports under `pythonRoots` (repository-relative). */
export function workspaceFrontEnd(pythonRoots: readonly string[]): LanguageFrontEnd {
  return combineFrontEnds([typescriptFrontEnd, createPythonFrontEnd(pythonRoots)]);
}

/** One front end dispatching per file; the first that handles a file wins. */
export function combineFrontEnds(frontEnds: LanguageFrontEnd[]): LanguageFrontEnd {
  const of = (path: string) => frontEnds.find((f) => f.handles(path));
  return {
    cacheKey: frontEnds.map((f) => f.cacheKey).join('+'),
    pathspecs: frontEnds.flatMap((f) => f.pathspecs),
    handles: (path) => of(path) !== undefined,
    // Only the languages of the files about to be parsed load their parsers.
    prepare: async (paths) => {
      const needed = new Set(paths.map(of));
      for (const f of frontEnds) if (needed.has(f) && f.prepare) await f.prepare(paths.filter((p) => f.handles(p)));
    },
    summarize: (path, text) => of(path)!.summarize(path, text),
    resolveImport: (fromPath, specifier, exists) => of(fromPath)?.resolveImport(fromPath, specifier, exists),
    submoduleSpecifier: (fromPath, specifier, name) => of(fromPath)?.submoduleSpecifier?.(fromPath, specifier, name),
  };
}
