/**
 * Resolves Python module names to repository files the way the import system's path finder does
 * for source files: absolute names against the import roots (`python.paths`, in order), relative
 * names (`.x`, `..pkg.mod`) against the importing file's package. A package is its
 * `__init__.py`; a folder without one is a namespace package, which has no file of its own (its
 * submodules still resolve). `.py` wins over a `.pyi` stub, which is followed only when it is all
 * there is. Anything else — the standard library, site-packages — is outside the graph.
 */
import { posix } from 'node:path';

/** Resolves `specifier` (`a.b`, `.`, `..pkg.mod`) written in `fromPath` under `roots` ('' = repository root). */
export function resolvePythonImport(roots: readonly string[], fromPath: string, specifier: string, exists: (path: string) => boolean): string | undefined {
  const dots = /^\.*/.exec(specifier)![0].length;
  const rest = specifier.slice(dots);
  const parts = rest ? rest.split('.') : [];
  if (parts.some((p) => !/^[\w]+$/u.test(p))) return undefined;
  if (dots > 0) {
    let base = posix.dirname(fromPath);
    for (let i = 1; i < dots; i++) {
      if (base === '.' || base === '') return undefined;
      base = posix.dirname(base);
    }
    return moduleFile(base === '.' ? '' : base, parts, exists);
  }
  for (const root of roots) {
    const found = moduleFile(root, parts, exists);
    if (found) return found;
  }
  return undefined;
}

function moduleFile(base: string, parts: string[], exists: (path: string) => boolean): string | undefined {
  const stem = [base, ...parts].filter((p) => p !== '').join('/');
  // A package folder comes before a module file of the same name, as in Python's FileFinder.
  for (const candidate of [`${stem}/__init__.py`, `${stem}.py`, `${stem}/__init__.pyi`, `${stem}.pyi`]) {
    const p = candidate.startsWith('/') ? candidate.slice(1) : candidate;
    if (parts.length === 0 && !p.includes('__init__')) continue;
    if (exists(p)) return p;
  }
  return undefined;
}

/** The module name of `path` under the longest root that holds it (`src/pkg/mod.py` → `pkg.mod`). */
export function moduleNameOf(roots: readonly string[], path: string): string | undefined {
  const holding = roots.filter((r) => r === '' || path.startsWith(r + '/')).sort((a, b) => b.length - a.length)[0];
  if (holding === undefined) return undefined;
  const rel = holding === '' ? path : path.slice(holding.length + 1);
  const stem = rel.replace(/\.pyi?$/, '').replace(/\/__init__$/, '').replace(/^__init__$/, '');
  return stem.split('/').join('.');
}
