/**
 * The offline data of a Feast repository: the `path=` of every `FileSource(...)` call in the
 * Python files beside a `feature_store.yaml`, read with the Python front end's parser (tree-sitter)
 * — nothing is imported or run. Feast resolves a relative path against the repository's folder
 * (the one holding `feature_store.yaml`); so does this.
 */
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { parseModule, T, textOf, type PyNode } from '../lang/python/pythonSyntax';
import { loadPythonParser } from '../lang/python/treeSitter';

/** Repository-relative paths named by `FileSource(path="…")` in Feast repositories (in file order). */
export async function feastFileSources(root: string, files: string[]): Promise<string[]> {
  const repos = files.filter((p) => posix.basename(p) === 'feature_store.yaml').map((p) => posix.dirname(p));
  if (repos.length === 0) return [];
  await loadPythonParser();
  const out: string[] = [];
  for (const repo of repos) {
    const inside = (p: string) => repo === '.' || p.startsWith(repo + '/');
    for (const file of files.filter((p) => p.endsWith('.py') && inside(p))) {
      const text = await readFile(join(root, file), 'utf8').catch(() => undefined);
      if (text === undefined || !text.includes('FileSource')) continue;
      for (const path of fileSourcePaths(text)) {
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path) || path.startsWith('/')) continue; // remote or absolute: not in the repository
        const rel = posix.normalize(repo === '.' ? path : `${repo}/${path}`);
        if (!rel.startsWith('..') && !out.includes(rel)) out.push(rel);
      }
    }
  }
  return out;
}

/** The string `path=` arguments of `FileSource(...)` / `feast.FileSource(...)` calls in a module. */
export function fileSourcePaths(text: string): string[] {
  const out: string[] = [];
  const visit = (n: PyNode) => {
    if (n.type === T.call) {
      const fn = n.children.find((c) => c.field === 'function');
      const name = fn ? textOf(text, fn).split('.').pop() : undefined;
      const args = n.children.find((c) => c.field === 'arguments');
      if (name === 'FileSource' && args) {
        for (const a of args.children) {
          if (a.type !== T.keywordArgument) continue;
          const key = a.children.find((c) => c.field === 'name');
          const value = a.children.find((c) => c.field === 'value');
          if (key && value && textOf(text, key) === 'path' && value.type === T.string) {
            const literal = stringValue(textOf(text, value));
            if (literal !== undefined) out.push(literal);
          }
        }
      }
    }
    for (const c of n.children) visit(c);
  };
  for (const stmt of parseModule(text).statements) visit(stmt);
  return out;
}

/** A plain (not f-) string literal's value; escapes other than quotes are left as written. */
function stringValue(literal: string): string | undefined {
  const m = /^([rRuU]?)('''|"""|'|")([\s\S]*)\2$/.exec(literal);
  return m ? m[3].replace(/\\(['"\\])/g, '$1') : undefined;
}
