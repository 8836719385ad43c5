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
  const joined = posix.normalize(posix.join(posix.dirname(fromPath), specifier));
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
