/**
 * The import roots (`python.paths`) of a repository's Python files, as Python would need them:
 * a file inside packages (folders with `__init__.py`) is imported from the folder above its
 * top-most package (`src/churn_features/customer.py` → `src`); a module outside any package from
 * its own folder. `''` is the repository root.
 */
import { posix } from 'node:path';

export function pythonRoots(pyFiles: string[], allFiles: ReadonlySet<string>): string[] {
  const roots = new Set<string>();
  for (const f of pyFiles) {
    let dir = posix.dirname(f);
    while (dir !== '.' && allFiles.has(`${dir}/__init__.py`)) dir = posix.dirname(dir);
    roots.add(dir === '.' ? '' : dir);
  }
  return [...roots].sort();
}
