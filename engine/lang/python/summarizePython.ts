/**
 * One Python module's summary (SPEC §9 "Static impact"): its top-level declarations — `def`,
 * `async def`, `class`, assignments of every shape, also inside module-level `if`/`try`/`with`/
 * `for` blocks — each with a normalized hash and the module-level names it uses; its imports
 * (runtime ones: `if TYPE_CHECKING:` imports are type-only); what `from it import NAME` can reach;
 * and `@feature` tags. A name bound by several statements is one declaration made of all of
 * them, and a statement that mutates a module-level name (`REGISTRY[k] = f`,
 * `FEATURES.append(f)`) belongs to that name's declaration.
 */
import type { DeclSummary, ExportEntry, ImportBinding, ModuleSummary, SyntaxProblem } from '../frontEnd';
import { decoratorName, detectForm, parametersOf } from './detectForm';
import { normalizedHash } from './normalizedTokens';
import { PYTHON_BUILTINS } from './pythonBuiltins';
import { ScopeWalker, allScopes, globalUses, newScope, type NameRead } from './pythonScopes';
import { COMPOUND, T, field, identifierText, isDocstring, namedChildren, parseModule, statementsOf, type PyNode } from './pythonSyntax';

/** One statement's share in the declarations it binds or mutates. */
interface Contribution {
  /** The statement, preceded by the headers of the module-level blocks around it (`if X:`). */
  nodes: PyNode[];
  stmt: PyNode;
  binds: Map<string, PyNode>;
  uses: NameRead[];
  mutates?: string;
  def?: 'function' | 'class';
}

export function summarizePython(_path: string, text: string): ModuleSummary {
  if (text.charCodeAt(0) === 0xfeff) text = ' ' + text.slice(1);
  let parsed: ReturnType<typeof parseModule>;
  try {
    parsed = parseModule(text);
    return new ModuleSummarizer(text).summarize(parsed.statements, parsed.syntaxErrors);
  } catch (err) {
    // Python allows at most a few hundred levels of nesting; deeper input is not Python.
    if (err instanceof RangeError) return { decls: [], imports: [], exports: [], syntaxErrors: [{ line: 1, column: 1, message: 'nested too deeply' }] };
    throw err;
  }
}

class ModuleSummarizer {
  private readonly walker: ScopeWalker;
  private readonly contributions: Contribution[] = [];
  private readonly imports: ImportBinding[] = [];
  private localImportCount = 0;
  private lineStarts?: number[];

  constructor(private readonly text: string) {
    this.walker = new ScopeWalker(text);
  }

  summarize(statements: PyNode[], syntaxErrors: SyntaxProblem[]): ModuleSummary {
    this.block(statements, [], false);
    const byName = new Map<string, Contribution[]>();
    for (const c of this.contributions) {
      for (const name of c.binds.keys()) {
        let list = byName.get(name);
        if (!list) byName.set(name, (list = []));
        list.push(c);
      }
    }
    for (const c of this.contributions) {
      if (c.binds.size === 0 && c.mutates && byName.has(c.mutates)) byName.get(c.mutates)!.push(c);
    }
    const importLocals = new Set(this.imports.map((i) => i.local));
    const hasStar = this.imports.some((i) => i.local === '*');
    const functionNames = new Set<string>();
    for (const [name, list] of byName) if (list.some((c) => c.def === 'function' && c.binds.has(name))) functionNames.add(name);
    const decls: DeclSummary[] = [];
    for (const [name, list] of byName) decls.push(this.decl(name, list, byName, importLocals, hasStar, functionNames));
    decls.sort((a, b) => a.startLine - b.startLine || a.name.localeCompare(b.name));

    const exports: ExportEntry[] = decls.map((d) => ({ exported: d.name, local: d.name }));
    const declared = new Set(byName.keys());
    for (const i of this.imports) {
      if (i.local === '*') exports.push({ exported: '*', specifier: i.specifier, imported: '*' });
      else if (!i.local.includes('.') && !i.local.startsWith('import:') && !declared.has(i.local)) exports.push({ exported: i.local, specifier: i.specifier, imported: i.imported });
    }
    const summary: ModuleSummary = { decls, imports: this.imports, exports, syntaxErrors, starHidesPrivate: true };
    const all = byName.get('__all__');
    if (all) {
      const names = this.dunderAll(all);
      if (names) summary.starAll = names;
    }
    return summary;
  }

  /** Walks module-level statements, descending into compound statements (still module scope). */
  private block(statements: PyNode[], headers: PyNode[], typeOnly: boolean): void {
    for (const stmt of statements) {
      if (stmt.type === T.importStatement || stmt.type === T.importFromStatement) {
        if (!typeOnly) this.importStatement(stmt);
        continue;
      }
      if (stmt.type === T.futureImportStatement) continue;
      if (COMPOUND.has(stmt.type)) {
        this.compound(stmt, headers, typeOnly);
        continue;
      }
      this.contribute(stmt, headers);
    }
  }

  private compound(stmt: PyNode, headers: PyNode[], typeOnly: boolean): void {
    const body = (n: PyNode | undefined, extra: PyNode[], only = typeOnly) => n && this.block(statementsOf(n), [...headers, ...extra], only);
    switch (stmt.type) {
      case T.ifStatement: {
        const cond = field(stmt, 'condition');
        const conds = cond ? [cond] : [];
        if (cond) this.contributeHeader([cond], headers);
        // `if TYPE_CHECKING:` holds imports for annotations only: no run-time dependency.
        const typeChecking = cond !== undefined && /^(\w+\.)?TYPE_CHECKING$/.test(this.text.slice(cond.start, cond.end));
        body(field(stmt, 'consequence'), conds, typeOnly || typeChecking);
        for (const alt of stmt.children) {
          if (alt.type === T.elifClause) {
            const c = field(alt, 'condition');
            if (c) {
              this.contributeHeader([c], [...headers, ...conds]);
              conds.push(c);
            }
            body(field(alt, 'consequence'), conds);
          } else if (alt.type === T.elseClause) body(field(alt, 'body'), conds);
        }
        return;
      }
      case T.forStatement: {
        const left = field(stmt, 'left');
        const right = field(stmt, 'right');
        const head = [left, right].filter((n): n is PyNode => n !== undefined);
        this.contributeHeader(head, headers, left ? [left] : []);
        body(field(stmt, 'body'), head);
        for (const alt of stmt.children) if (alt.type === T.elseClause) body(field(alt, 'body'), head);
        return;
      }
      case T.whileStatement: {
        const cond = field(stmt, 'condition');
        const head = cond ? [cond] : [];
        this.contributeHeader(head, headers);
        body(field(stmt, 'body'), head);
        for (const alt of stmt.children) if (alt.type === T.elseClause) body(field(alt, 'body'), head);
        return;
      }
      case T.tryStatement:
        for (const c of stmt.children) {
          if (c.field === 'body') body(c, []);
          else if (c.type === T.exceptClause || c.type === T.exceptGroupClause) {
            const clauseBody = c.children.find((x) => x.type === T.block);
            const head = c.children.filter((x) => x.named && x !== clauseBody && x.type !== T.comment);
            this.contributeHeader(head, headers);
            body(clauseBody, head);
          } else if (c.type === T.elseClause) body(field(c, 'body'), []);
          else if (c.type === T.finallyClause) body(c.children.find((x) => x.type === T.block), []);
        }
        return;
      case T.withStatement: {
        const clause = stmt.children.find((c) => c.type === T.withClause);
        const head = clause ? [clause] : [];
        this.contributeHeader(head, headers);
        body(field(stmt, 'body'), head);
        return;
      }
      case T.matchStatement: {
        const subject = field(stmt, 'subject');
        const head = subject ? [subject] : [];
        this.contributeHeader(head, headers);
        const cases = field(stmt, 'body');
        for (const c of cases?.children ?? []) {
          if (c.type !== T.caseClause) continue;
          const pattern = c.children.filter((x) => x.named && x.field !== 'consequence' && x.type !== T.comment);
          this.contributeHeader(pattern, [...headers, ...head]);
          body(field(c, 'consequence'), [...head, ...pattern]);
        }
        return;
      }
    }
  }

  /** A simple statement, or a `def` / `class`. */
  private contribute(stmt: PyNode, headers: PyNode[]): void {
    if (isDocstring(stmt, this.text)) return;
    const scope = newScope('module', '<module>', stmt.row);
    // `x: int` binds nothing at run time: it is no declaration of `x`.
    const annotationOnly = stmt.type === T.expressionStatement && namedChildren(stmt).length === 1 && namedChildren(stmt)[0].type === T.assignment && !field(namedChildren(stmt)[0], 'right');
    this.walker.visit(stmt, scope);
    const uses = this.uses(scope, headers);
    const binds = annotationOnly ? new Map<string, PyNode>() : scope.bindings;
    const def = definitionOf(stmt);
    this.contributions.push({ nodes: [...headers, stmt], stmt, binds, uses, mutates: binds.size ? undefined : this.mutationRoot(stmt), def: def ? (def.type === T.classDefinition ? 'class' : 'function') : undefined });
  }

  /**
   * The module names a block header binds: `for` targets, `with … as x`, `except E as e`, match
   * captures, and `:=` in any condition. `targets` are the header's assignment targets (a `for`
   * loop's); they must be bound, not visited, since visiting an identifier reads it.
   */
  private contributeHeader(head: PyNode[], headers: PyNode[], targets: PyNode[] = []): void {
    if (head.length === 0) return;
    const scope = newScope('module', '<module>', head[0].row);
    for (const n of head) {
      if (targets.includes(n)) this.walker.bindTarget(n, scope);
      else this.walker.visit(n, scope);
    }
    if (scope.bindings.size === 0) return;
    this.contributions.push({ nodes: [...headers, ...head], stmt: head[0], binds: scope.bindings, uses: this.uses(scope, headers) });
  }

  /**
   * Module-level names the statement's scope tree uses, and those of the headers around it.
   * Appended one by one: a large statement reads 100,000s of names, and spreading that many
   * arguments into `push` overflows the stack (in this module, never `push(...many)` or
   * `Math.max(...many)`). An import inside a function (`def f(): from .util import clip`) binds a
   * local name, yet the function depends on what it imports: it gets an import binding of its
   * own, under a local name no Python code can write (`import:3`), which only this declaration
   * references.
   */
  private uses(scope: ReturnType<typeof newScope>, headers: PyNode[]): NameRead[] {
    const out: NameRead[] = [];
    for (const s of allScopes(scope)) {
      for (const u of globalUses(s)) out.push(u);
      for (const stmt of s.localImports) {
        const before = this.imports.length;
        this.importStatement(stmt);
        for (const binding of this.imports.splice(before)) {
          const local = `import:${this.localImportCount++}`;
          this.imports.push({ local, specifier: binding.specifier, imported: binding.local === '*' ? '*' : binding.imported });
          out.push({ name: local });
        }
      }
    }
    if (headers.length) {
      const h = newScope('module', '<module>', 0);
      for (const n of headers) this.walker.visit(n, h);
      for (const r of h.reads) out.push(r);
    }
    return out;
  }

  /** `X.append(…)`, `X[k] = v`, `X.attr = v`, `del X[k]`: the module-level name `X` changes. */
  private mutationRoot(stmt: PyNode): string | undefined {
    let target: PyNode | undefined;
    const inner = namedChildren(stmt)[0];
    if (stmt.type === T.expressionStatement && inner) {
      if (inner.type === T.call) target = field(inner, 'function');
      else if (inner.type === T.assignment || inner.type === T.augmentedAssignment) target = field(inner, 'left');
    } else if (stmt.type === T.deleteStatement) target = inner;
    if (!target || (target.type !== T.attribute && target.type !== T.subscript)) return undefined;
    while (target && (target.type === T.attribute || target.type === T.subscript || target.type === T.call)) {
      target = field(target, target.type === T.attribute ? 'object' : target.type === T.subscript ? 'value' : 'function');
    }
    return target?.type === T.identifier ? identifierText(this.text, target) : undefined;
  }

  private importStatement(stmt: PyNode): void {
    if (stmt.type === T.importStatement) {
      for (const c of stmt.children) {
        if (c.field !== 'name') continue;
        if (c.type === T.aliasedImport) {
          const name = field(c, 'name');
          const alias = field(c, 'alias');
          if (name && alias) this.imports.push({ local: this.name(alias), specifier: this.name(name), imported: '*' });
        } else if (c.type === T.dottedName) {
          // `import a.b.c` binds `a`; `a.b` and `a.b.c` are reachable through it as attributes.
          const parts = namedChildren(c).map((p) => this.name(p));
          for (let i = 1; i <= parts.length; i++) {
            const dotted = parts.slice(0, i).join('.');
            this.imports.push({ local: dotted, specifier: dotted, imported: '*' });
          }
        }
      }
      return;
    }
    const moduleNode = field(stmt, 'module_name');
    if (!moduleNode) return;
    const specifier = this.name(moduleNode).replace(/\s+/g, '');
    for (const c of stmt.children) {
      if (c.type === T.wildcardImport) this.imports.push({ local: '*', specifier, imported: '*' });
      if (c.field !== 'name') continue;
      if (c.type === T.aliasedImport) {
        const name = field(c, 'name');
        const alias = field(c, 'alias');
        if (name && alias) this.imports.push({ local: this.name(alias), specifier, imported: this.name(name) });
      } else if (c.type === T.dottedName) {
        const name = this.name(c);
        this.imports.push({ local: name, specifier, imported: name });
      }
    }
  }

  private decl(name: string, list: Contribution[], byName: Map<string, Contribution[]>, importLocals: Set<string>, hasStar: boolean, functionNames: Set<string>): DeclSummary {
    const first = list.find((c) => c.binds.has(name)) ?? list[0];
    const at = first.binds.get(name) ?? first.stmt;
    const refs = new Set<string>();
    const memberRefs = new Map<string, [string, string]>();
    for (const c of list) {
      for (const use of c.uses) {
        const member = use.chain && memberOf(use.chain, importLocals);
        if (member) {
          memberRefs.set(member.join('\0'), member);
          // `pkg.mod.f` through `import pkg.mod`: the chain names `pkg.mod`, not all of `pkg`.
          if (member[0] !== use.name) continue;
        }
        if (byName.has(use.name) || importLocals.has(use.name) || (hasStar && !PYTHON_BUILTINS.has(use.name))) refs.add(use.name);
      }
    }
    const defContribution = list.find((c) => c.def && c.binds.has(name));
    const decl: DeclSummary = {
      name,
      kind: defContribution?.def ?? 'variable',
      line: at.row + 1,
      column: at.col + 1,
      endLine: list.reduce((max, c) => Math.max(max, c.stmt.endRow + 1), 0),
      startLine: list.reduce((min, c) => Math.min(min, c.stmt.row + 1), Infinity),
      hash: normalizedHash(list.flatMap((c) => c.nodes), this.text),
      refs: [],
      memberRefs: [...memberRefs.values()],
    };
    if (defContribution?.def === 'function') {
      const def = definitionOf(defContribution.stmt)!;
      const decorators = defContribution.stmt.type === T.decoratedDefinition ? defContribution.stmt.children.filter((c) => c.type === T.decorator) : [];
      const form = detectForm(def, decorators, this.text);
      if (form) decl.form = form;
      const params = parametersOf(def, this.text).filter((p) => !p.variadic);
      decl.params = params.map((p) => p.name);
      decl.requiredParams = params.filter((p) => !p.hasDefault).map((p) => p.name);
      // A Hamilton node's parameters name the functions that compute them: static dependencies.
      if (form === undefined || form === 'hamilton') for (const p of decl.params) if (functionNames.has(p) && p !== name) refs.add(p);
      if (decorators.length) decl.decorators = decorators.map((d) => decoratorName(d, this.text));
      const tags = this.featureTags(defContribution.stmt, def);
      if (tags.length) decl.featureTags = tags;
    }
    refs.delete(name);
    decl.refs = [...refs].sort();
    return decl;
  }

  /** `@feature NAME` / `@snapshot NAME` in the docstring, or in `#` comments right above the `def` or its decorators. */
  private featureTags(stmt: PyNode, def: PyNode): { name: string; snapshot?: string }[] {
    const first = statementsOf(field(def, 'body'))[0];
    let doc = first && isDocstring(first, this.text) ? this.slice(first) : '';
    doc += '\n' + this.commentsAbove(stmt.row);
    const out: { name: string; snapshot?: string }[] = [];
    const snapshot = /@snapshot\s+([A-Za-z0-9_.-]+)/.exec(doc)?.[1];
    for (const m of doc.matchAll(/@feature\s+([A-Za-z0-9_.-]+)/g)) out.push(snapshot ? { name: m[1], snapshot } : { name: m[1] });
    return out;
  }

  private commentsAbove(row: number): string {
    this.lineStarts ??= lineStartsOf(this.text);
    const lines: string[] = [];
    for (let r = row - 1; r >= 0; r--) {
      const line = this.text.slice(this.lineStarts[r], this.lineStarts[r + 1] ?? this.text.length).trim();
      if (!line.startsWith('#')) break;
      lines.push(line);
    }
    return lines.reverse().join('\n');
  }

  /** The string literals of `__all__ = [...]`, `__all__ += [...]`, `__all__.extend/append(...)`. */
  private dunderAll(list: Contribution[]): string[] | undefined {
    const names = new Set<string>();
    for (const c of list) {
      // A computed `__all__` (`sub.__all__ + [...]`) is not known statically: fall back to public names.
      if (c.uses.some((u) => u.name !== '__all__')) return undefined;
      const stack = [c.stmt];
      while (stack.length) {
        const n = stack.pop()!;
        if (n.type === T.string) {
          const m = /^[a-zA-Z]*('''|"""|'|")([\s\S]*)\1$/.exec(this.slice(n));
          if (m) names.add(m[2]);
          continue;
        }
        for (const child of n.children) stack.push(child);
      }
    }
    return [...names];
  }

  private slice(n: PyNode): string {
    return this.text.slice(n.start, n.end);
  }

  /** An identifier or dotted name, NFKC-normalized as Python does. */
  private name(n: PyNode): string {
    return identifierText(this.text, n);
  }
}

/** The `def` or `class` of a statement, looking through decorators. */
function definitionOf(stmt: PyNode): PyNode | undefined {
  if (stmt.type === T.functionDefinition || stmt.type === T.classDefinition) return stmt;
  if (stmt.type === T.decoratedDefinition) return field(stmt, 'definition');
  return undefined;
}

/**
 * `[namespace, member]` for an attribute chain through an import: the longest dotted prefix that
 * an `import` binds (`pkg.mod` of `pkg.mod.f`), then the attribute after it.
 */
function memberOf(chain: string[], importLocals: Set<string>): [string, string] | undefined {
  for (let k = chain.length - 1; k >= 1; k--) {
    const prefix = chain.slice(0, k).join('.');
    if (importLocals.has(prefix)) return [prefix, chain[k]];
  }
  return undefined;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
