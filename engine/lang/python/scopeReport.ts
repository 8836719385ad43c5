/**
 * What the Python front end understood of a module, in the terms of CPython's own `symtable`:
 * the names bound at module level (declarations and imports) and, for every `def` at any depth,
 * the names it uses from the module scope. The accuracy test compares this with `ast` +
 * `symtable` on real code; nothing in the engine depends on it.
 */
import { allScopes, globalUses, ScopeWalker, newScope, type Scope } from './pythonScopes';
import { parseModule } from './pythonSyntax';
import { summarizePython } from './summarizePython';

export interface PythonScopeReport {
  /** Module-level names bound by anything but an import, sorted. */
  decls: string[];
  /** Module-level names bound by imports (`import a.b` binds `a`), sorted. */
  imports: string[];
  /** Every `def`, by name and 1-based line of `def`, with the global names its body uses (its lambdas and comprehensions included). */
  functions: { name: string; line: number; globals: string[] }[];
  syntaxErrors: number;
}

export function pythonScopeReport(text: string): PythonScopeReport {
  const summary = summarizePython('module.py', text);
  const parsed = parseModule(text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text);
  const walker = new ScopeWalker(text);
  const module = newScope('module', '<module>', 0);
  for (const stmt of parsed.statements) walker.visit(stmt, module);
  const functions: PythonScopeReport['functions'] = [];
  for (const s of allScopes(module)) {
    if (s.kind !== 'function') continue;
    const names = new Set<string>();
    for (const inner of [s, ...inlineScopes(s)]) for (const use of globalUses(inner)) names.add(use.name);
    functions.push({ name: s.name, line: s.row + 1, globals: [...names].sort() });
  }
  const imports = new Set(summary.imports.filter((i) => i.local !== '*' && !i.local.includes('.') && !i.local.startsWith('import:')).map((i) => i.local));
  return {
    decls: summary.decls.map((d) => d.name).sort(),
    imports: [...imports].sort(),
    functions,
    syntaxErrors: summary.syntaxErrors.length,
  };
}

/** The lambdas and comprehensions nested in a function, down to (not into) the next `def` or `class`. */
function inlineScopes(s: Scope): Scope[] {
  const out: Scope[] = [];
  const stack = [...s.children];
  while (stack.length) {
    const c = stack.pop()!;
    if (c.kind === 'function' || c.kind === 'class') continue;
    out.push(c);
    stack.push(...c.children);
  }
  return out;
}
