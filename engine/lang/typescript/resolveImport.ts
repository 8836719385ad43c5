/**
 * Resolves relative import specifiers the way TypeScript's bundler resolution does for source
 * files: the exact path, then with a source extension, then `index` in a folder; `.js` written
 * in an import may stand for a `.ts` file. Bare specifiers are packages: outside the graph.
 */
import { posix } from 'node:path';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const JS_TO_TS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

/** Resolves `specifier` written in `fromPath`, or undefined when it is a package or not found. */
export function resolveImport(fromPath: string, specifier: string, exists: (path: string) => boolean): string | undefined {
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return undefined;
  const joined = joinedPath(fromPath, specifier);
  if (joined.startsWith('..')) return undefined;
  const ext = posix.extname(joined);
  for (const alt of JS_TO_TS[ext] ?? []) {
    const p = joined.slice(0, -ext.length) + alt;
    if (exists(p)) return p;
  }
  if (ext && exists(joined)) return joined;
  for (const e of EXTENSIONS) if (exists(joined + e)) return joined + e;
  for (const e of EXTENSIONS) if (exists(`${joined}/index${e}`)) return `${joined}/index${e}`;
  return undefined;
}

/**
 * The path a relative specifier names from a module's folder. Modules of one folder import the
 * same specifiers, and each import is resolved once to summarize what features reach and once more
 * by the graph: the path joining (most of a resolution's cost) is remembered by folder and specifier.
 */
function joinedPath(fromPath: string, specifier: string): string {
  const slash = fromPath.lastIndexOf('/');
  const dir = slash < 0 ? '.' : slash === 0 ? '/' : fromPath.slice(0, slash);
  const key = `${dir}\0${specifier}`;
  let joined = joins.get(key);
  if (joined === undefined) {
    if (joins.size >= MAX_JOINS) joins.clear();
    joins.set(key, (joined = posix.normalize(posix.join(dir, specifier))));
  }
  return joined;
}

const joins = new Map<string, string>();
const MAX_JOINS = 50_000;
