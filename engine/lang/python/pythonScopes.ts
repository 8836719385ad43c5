/**
 * Python's scoping rules over one top-level statement: which names each function, class, lambda
 * and comprehension binds, reads and declares `global`/`nonlocal`, and so which names resolve to
 * the module (global) scope — the names a declaration depends on. The rules are the compiler's
 * (CPython's `symtable`): class bodies are skipped when resolving names of nested functions, the
 * first iterable of a comprehension is evaluated outside it, `:=` binds in the enclosing function.
 */
import { COMPREHENSIONS, T, UNPACKING, field, fields, namedChildren, type PyNode } from './pythonSyntax';

export type ScopeKind = 'module' | 'function' | 'class' | 'lambda' | 'comprehension';

/** A name read, with the attribute chain it starts when it is read as `name.a.b`. */
export interface NameRead {
  name: string;
  /** `['pkg', 'mod', 'f']` for `pkg.mod.f`; absent for a bare read. */
  chain?: string[];
}

export interface Scope {
  kind: ScopeKind;
  name: string;
  /** 0-based row of the `def` / `class` keyword (of the expression for lambdas and comprehensions). */
  row: number;
  parent?: Scope;
  bound: Set<string>;
  globals: Set<string>;
  nonlocals: Set<string>;
  reads: NameRead[];
  children: Scope[];
  /** Where each name bound here was first bound (the identifier node). */
  bindings: Map<string, PyNode>;
  /** Import statements inside a function or class: dependencies although the names they bind are local. */
  localImports: PyNode[];
}

export function newScope(kind: ScopeKind, name: string, row: number, parent?: Scope): Scope {
  const s: Scope = { kind, name, row, parent, bound: new Set(), globals: new Set(), nonlocals: new Set(), reads: [], children: [], bindings: new Map(), localImports: [] };
  parent?.children.push(s);
  return s;
}

/** How a name read in `scope` resolves. */
export function resolveName(scope: Scope, name: string): 'local' | 'free' | 'global' {
  if (scope.globals.has(name)) return 'global';
  if (scope.kind === 'module') return 'global';
  if (scope.nonlocals.has(name)) return 'free';
  if (scope.bound.has(name)) return 'local';
  for (let p = scope.parent; p; p = p.parent) {
    if (p.kind === 'class') continue;
    if (p.kind === 'module') return 'global';
    if (p.globals.has(name)) return 'global';
    if (p.bound.has(name) || p.nonlocals.has(name)) return 'free';
  }
  return 'global';
}

/**
 * The names a scope uses at module level: reads that resolve to the global scope, and names it
 * declares `global` (it reads or rebinds them). Chains are kept for `module.attr` references.
 */
export function globalUses(scope: Scope): NameRead[] {
  const out: NameRead[] = [];
  for (const r of scope.reads) if (resolveName(scope, r.name) === 'global') out.push(r);
  if (scope.kind !== 'module') for (const g of scope.globals) out.push({ name: g });
  return out;
}

/** Every scope under `scope`, itself included, depth first. */
export function allScopes(scope: Scope): Scope[] {
  const out: Scope[] = [];
  const stack = [scope];
  while (stack.length) {
    const s = stack.pop()!;
    out.push(s);
    for (let i = s.children.length - 1; i >= 0; i--) stack.push(s.children[i]);
  }
  return out;
}

/**
 * Walks `node` in `scope`, recording bindings and reads into it and into the scopes it opens.
 * `text` is the module text (identifiers are read from it).
 */
export class ScopeWalker {
  constructor(private readonly text: string) {}

  name(node: PyNode): string {
    return this.text.slice(node.start, node.end);
  }

  visit(node: PyNode, scope: Scope): void {
    switch (node.type) {
      case T.identifier:
        scope.reads.push({ name: this.name(node) });
        return;
      case T.comment:
      case T.lineContinuation:
        return;
      case T.decoratedDefinition:
        for (const c of node.children) this.visit(c, scope);
        return;
      case T.functionDefinition:
        return this.functionDef(node, scope);
      case T.classDefinition:
        return this.classDef(node, scope);
      case T.lambda:
        return this.lambda(node, scope);
      case T.assignment: {
        const left = field(node, 'left');
        const type = field(node, 'type');
        const right = field(node, 'right');
        if (type) this.visit(type, scope);
        if (right) this.visit(right, scope);
        // `x: int` alone makes `x` local to a function (but binds nothing at run time).
        if (left) this.bindTarget(left, scope);
        return;
      }
      case T.augmentedAssignment: {
        const left = field(node, 'left');
        const right = field(node, 'right');
        if (right) this.visit(right, scope);
        if (left?.type === T.identifier) {
          scope.reads.push({ name: this.name(left) });
          this.bind(left, scope);
        } else if (left) this.visit(left, scope);
        return;
      }
      case T.forStatement: {
        const right = field(node, 'right');
        if (right) this.visit(right, scope);
        const left = field(node, 'left');
        if (left) this.bindTarget(left, scope);
        for (const c of node.children) if (c.field === 'body' || c.field === 'alternative') this.visit(c, scope);
        return;
      }
      case T.namedExpression: {
        const value = field(node, 'value');
        if (value) this.visit(value, scope);
        const target = field(node, 'name');
        if (target) this.bind(target, walrusScope(scope));
        return;
      }
      case T.asPattern: {
        // `with x as y`, `except E as e`, `case p as q`: the value is read, the alias is bound.
        for (const c of node.children) {
          if (c.field === 'alias') this.bindTarget(c, scope);
          else if (c.named) this.visit(c, scope);
        }
        return;
      }
      case T.exceptClause:
      case T.exceptGroupClause: {
        const alias = field(node, 'alias');
        for (const c of node.children) {
          if (c === alias) this.bindTarget(c, scope);
          else if (c.named) this.visit(c, scope);
        }
        return;
      }
      case T.importStatement:
      case T.importFromStatement:
      case T.futureImportStatement:
        for (const local of importedLocals(node, this.text)) this.bindName(local.name, local.node, scope);
        if (scope.kind !== 'module' && node.type !== T.futureImportStatement) scope.localImports.push(node);
        return;
      case T.globalStatement:
        for (const c of namedChildren(node)) if (c.type === T.identifier) scope.globals.add(this.name(c));
        return;
      case T.nonlocalStatement:
        for (const c of namedChildren(node)) if (c.type === T.identifier) scope.nonlocals.add(this.name(c));
        return;
      case T.deleteStatement:
        for (const c of namedChildren(node)) this.bindTarget(c, scope);
        return;
      case T.attribute: {
        const chain = this.chain(node);
        if (chain) {
          scope.reads.push({ name: chain[0], chain });
          return;
        }
        const object = field(node, 'object');
        if (object) this.visit(object, scope);
        return;
      }
      case T.keywordArgument: {
        const value = field(node, 'value');
        if (value) this.visit(value, scope);
        return;
      }
      case T.casePattern:
        return this.pattern(node, scope);
      case T.typeAliasStatement: {
        const left = field(node, 'left');
        if (left) this.bindTarget(left, scope);
        const right = field(node, 'right');
        if (right) this.visit(right, scope);
        return;
      }
      default:
        if (COMPREHENSIONS.has(node.type)) return this.comprehension(node, scope);
        for (const c of node.children) if (c.named) this.visit(c, scope);
    }
  }

  /** `a.b.c` as `['a', 'b', 'c']` when it is a pure attribute chain on a name. */
  chain(node: PyNode): string[] | undefined {
    const parts: string[] = [];
    let n: PyNode | undefined = node;
    while (n && n.type === T.attribute) {
      const attr = field(n, 'attribute');
      if (!attr) return undefined;
      parts.push(this.name(attr));
      n = field(n, 'object');
    }
    if (!n || n.type !== T.identifier) return undefined;
    parts.push(this.name(n));
    return parts.reverse();
  }

  bind(target: PyNode, scope: Scope): void {
    this.bindName(this.name(target), target, scope);
  }

  bindName(name: string, node: PyNode, scope: Scope): void {
    scope.bound.add(name);
    if (!scope.bindings.has(name)) scope.bindings.set(name, node);
  }

  /** Binds the names of an assignment, loop or `as` target; reads what an attribute or subscript target reads. */
  bindTarget(target: PyNode, scope: Scope): void {
    if (target.type === T.identifier) return this.bind(target, scope);
    if (target.type === T.asPatternTarget || UNPACKING.has(target.type) || target.type === 'pattern') {
      for (const c of target.children) if (c.named) this.bindTarget(c, scope);
      return;
    }
    this.visit(target, scope);
  }

  private functionDef(node: PyNode, scope: Scope): void {
    const nameNode = field(node, 'name');
    const params = field(node, 'parameters');
    const returns = field(node, 'return_type');
    // Defaults and annotations are evaluated where the function is defined.
    if (params) this.parameterOuterParts(params, scope);
    if (returns) this.visit(returns, scope);
    if (nameNode) this.bind(nameNode, scope);
    const inner = newScope('function', nameNode ? this.name(nameNode) : '?', node.row, scope);
    if (params) this.bindParameters(params, inner);
    const body = field(node, 'body');
    if (body) this.visit(body, inner);
  }

  private classDef(node: PyNode, scope: Scope): void {
    const nameNode = field(node, 'name');
    const supers = field(node, 'superclasses');
    if (supers) this.visit(supers, scope);
    if (nameNode) this.bind(nameNode, scope);
    const inner = newScope('class', nameNode ? this.name(nameNode) : '?', node.row, scope);
    const body = field(node, 'body');
    if (body) this.visit(body, inner);
  }

  private lambda(node: PyNode, scope: Scope): void {
    const params = field(node, 'parameters');
    if (params) this.parameterOuterParts(params, scope);
    const inner = newScope('lambda', 'lambda', node.row, scope);
    if (params) this.bindParameters(params, inner);
    const body = field(node, 'body');
    if (body) this.visit(body, inner);
  }

  /** The first `for … in X` iterable is evaluated outside; everything else inside the comprehension. */
  private comprehension(node: PyNode, scope: Scope): void {
    const inner = newScope('comprehension', node.type, node.row, scope);
    let first = true;
    const rest: PyNode[] = [];
    for (const c of node.children) {
      if (!c.named) continue;
      if (c.type === T.forInClause) {
        for (const right of fields(c, 'right')) {
          if (first) this.visit(right, scope);
          else rest.push(right);
          first = false;
        }
        for (const left of fields(c, 'left')) this.bindTarget(left, inner);
        for (const other of c.children) if (other.named && other.field !== 'left' && other.field !== 'right') rest.push(other);
      } else rest.push(c);
    }
    for (const c of rest) this.visit(c, inner);
  }

  private parameterOuterParts(params: PyNode, scope: Scope): void {
    for (const p of params.children) {
      if (!p.named) continue;
      const value = field(p, 'value');
      const type = field(p, 'type');
      if (value) this.visit(value, scope);
      if (type) this.visit(type, scope);
    }
  }

  private bindParameters(params: PyNode, scope: Scope): void {
    for (const p of params.children) {
      if (!p.named) continue;
      for (const id of parameterNames(p)) this.bind(id, scope);
    }
  }

  /** Match patterns: bare names capture (bind); dotted names and class names are values (read). */
  private pattern(node: PyNode, scope: Scope): void {
    for (const c of node.children) {
      if (!c.named) continue;
      if (c.type === T.identifier) {
        if (this.name(c) !== '_') this.bind(c, scope);
      } else if (c.type === T.dottedName) {
        const ids = namedChildren(c);
        const isClassName = node.type === T.classPattern && c === namedChildren(node)[0];
        if (ids.length > 1 || isClassName) scope.reads.push({ name: this.name(ids[0]), chain: ids.length > 1 ? ids.map((i) => this.name(i)) : undefined });
        else if (ids.length === 1 && this.name(ids[0]) !== '_') this.bind(ids[0], scope);
      } else if (c.type === T.keywordPattern) {
        // `Point(x=0)`: the keyword names an attribute, only the pattern after it binds.
        this.pattern({ ...c, children: namedChildren(c).slice(1) }, scope);
      } else if (c.type === T.string || c.type === 'integer' || c.type === 'float') {
        continue;
      } else if (c.type === T.attribute || c.type === T.call) {
        this.visit(c, scope);
      } else this.pattern(c, scope);
    }
  }
}

/** The identifiers a parameter binds (`x`, `x=1`, `x: int`, `*args`, `**kw`). */
export function parameterNames(p: PyNode): PyNode[] {
  if (p.type === T.identifier) return [p];
  if (p.type === T.defaultParameter || p.type === T.typedDefaultParameter) {
    const n = field(p, 'name');
    return n ? [n] : [];
  }
  if (p.type === T.typedParameter || p.type === T.listSplatPattern || p.type === T.dictionarySplatPattern) {
    for (const c of p.children) {
      if (c.field === 'type') continue;
      if (c.type === T.identifier) return [c];
      if (c.type === T.listSplatPattern || c.type === T.dictionarySplatPattern) return parameterNames(c);
    }
  }
  if (p.type === 'tuple_pattern') return p.children.flatMap((c) => (c.named ? parameterNames(c) : []));
  return [];
}

/** `:=` binds in the nearest enclosing scope that is not a comprehension. */
function walrusScope(scope: Scope): Scope {
  let s = scope;
  while (s.kind === 'comprehension' && s.parent) s = s.parent;
  return s;
}

/** The local names an import statement binds: `import a.b` binds `a`, `import a.b as c` binds `c`. */
export function importedLocals(node: PyNode, text: string): { name: string; node: PyNode }[] {
  const out: { name: string; node: PyNode }[] = [];
  const nameOf = (n: PyNode) => text.slice(n.start, n.end);
  for (const c of node.children) {
    if (c.field !== 'name') continue;
    if (c.type === T.aliasedImport) {
      const alias = field(c, 'alias');
      if (alias) out.push({ name: nameOf(alias), node: alias });
    } else if (c.type === T.dottedName) {
      const first = namedChildren(c)[0];
      if (!first) continue;
      // `from m import a` binds `a`; `import a.b` binds `a`.
      out.push({ name: nameOf(first), node: first });
    }
  }
  return out;
}
