/**
 * Summarizes a TypeScript/JavaScript module by walking raw compiler nodes (the ts-morph wrapper
 * API is 5–7× slower here): top-level declarations with normalized hashes and the module-level
 * names each references in value positions, imports, exports and `@feature` doc tags. Type-only
 * constructs are declarations but reference nothing at run time, so a type edit reaches no feature.
 */
import type { ts as TS } from 'ts-morph';
import type { DeclSummary, ExportEntry, ImportBinding, ModuleSummary } from '../frontEnd';
import { loadCompiler, type Ts } from './compiler';
import { normalizedHash } from './normalizedHash';

/** Summarizes `text`, the content of `path` (the extension selects TS, TSX, JS or JSX parsing). */
export function summarizeModule(path: string, text: string): ModuleSummary {
  return summarizeWith(loadCompiler(), path, text);
}

/** `summarizeModule` with a given copy of the compiler. */
export function summarizeWith(ts: Ts, path: string, text: string): ModuleSummary {
  const scriptKind = scriptKindOf(ts, path);
  try {
    // Doc comments are not parsed into nodes (~10% of the parse): `@feature` tags are read from
    // the text, and hashes skip comments.
    const sf = ts.createSourceFile(path, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, scriptKind);
    const ctx = new Summarizer(ts, sf, text);
    for (const stmt of sf.statements) ctx.statement(stmt);
    return ctx.finish();
  } catch (err) {
    // The TypeScript parser recurses once per nesting level: thousands of nested parentheses or
    // callbacks (generated code) exhaust the stack. That is a file we cannot read, not a crash.
    if (!(err instanceof RangeError)) throw err;
    return { decls: [], imports: [], exports: [], syntaxErrors: [{ line: 1, column: 1, message: 'the code is nested too deeply to parse (the parser ran out of stack)' }] };
  }
}

function scriptKindOf(ts: Ts, path: string): TS.ScriptKind {
  if (path.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (path.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(path)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** Walks one source file's statements and collects the summary. */
class Summarizer {
  private readonly decls: DeclSummary[] = [];
  private readonly imports: ImportBinding[] = [];
  private readonly exports: ExportEntry[] = [];
  private readonly variant: number;
  private readonly lines: LineIndex;

  constructor(
    private readonly ts: Ts,
    private readonly sf: TS.SourceFile,
    private readonly text: string,
  ) {
    this.variant = sf.languageVariant;
    this.lines = lineIndex(ts, sf, text);
  }

  statement(stmt: TS.Statement): void {
    const ts = this.ts;
    const exported = hasModifier(stmt, ts.SyntaxKind.ExportKeyword);
    const isDefault = hasModifier(stmt, ts.SyntaxKind.DefaultKeyword);
    if (ts.isImportDeclaration(stmt)) return this.importDecl(stmt);
    if (ts.isExportDeclaration(stmt)) return this.exportDecl(stmt);
    if (ts.isExportAssignment(stmt)) {
      this.addDecl('default', 'default', stmt, stmt.expression, [stmt.expression]);
      this.exports.push({ exported: 'default', local: 'default' });
      return;
    }
    if (ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt)) {
      const name = stmt.name?.text ?? 'default';
      const kind = ts.isFunctionDeclaration(stmt) ? 'function' : 'class';
      this.addDecl(name, kind, stmt, stmt.name ?? stmt, [stmt]);
      if (exported) this.exports.push({ exported: isDefault ? 'default' : name, local: name });
      return;
    }
    if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) {
        for (const name of bindingNames(ts, d.name)) {
          this.addDecl(name.text, 'variable', stmt, name, [d]);
          if (exported) this.exports.push({ exported: name.text, local: name.text });
        }
      }
      return;
    }
    if (ts.isEnumDeclaration(stmt) || ts.isModuleDeclaration(stmt)) {
      if (!ts.isIdentifier(stmt.name)) return;
      const kind = ts.isEnumDeclaration(stmt) ? 'enum' : 'namespace';
      this.addDecl(stmt.name.text, kind, stmt, stmt.name, [stmt]);
      if (exported) this.exports.push({ exported: stmt.name.text, local: stmt.name.text });
      return;
    }
    if (ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) {
      // Types vanish at run time: recorded so their edits are listed, referencing nothing.
      this.addDecl(stmt.name.text, 'type', stmt, stmt.name, []);
      if (exported) this.exports.push({ exported: stmt.name.text, local: stmt.name.text });
    }
  }

  finish(): ModuleSummary {
    const names = new Set<string>([...this.decls.map((d) => d.name), ...this.imports.map((i) => i.local)]);
    const namespaces = new Set(this.imports.filter((i) => i.imported === '*').map((i) => i.local));
    // References were collected as every free-looking identifier; keep those naming module-level
    // bindings. A local that shadows one is kept too — an over-approximation that can only add
    // impact, never hide it.
    for (const d of this.decls) {
      d.refs = [...new Set(d.refs.filter((r) => names.has(r) && r !== d.name))];
      d.memberRefs = d.memberRefs.filter(([ns]) => namespaces.has(ns));
    }
    const diagnostics = (this.sf as unknown as { parseDiagnostics: TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
    const syntaxErrors = diagnostics.map((d) => {
      const pos = this.ts.getLineAndCharacterOfPosition(this.sf, d.start);
      return { line: pos.line + 1, column: pos.character + 1, message: messageText(d.messageText) };
    });
    return { decls: this.decls, imports: this.imports, exports: this.exports, syntaxErrors };
  }

  private importDecl(stmt: TS.ImportDeclaration): void {
    const ts = this.ts;
    const clause = stmt.importClause;
    if (!clause || clause.isTypeOnly || !ts.isStringLiteral(stmt.moduleSpecifier)) return;
    const specifier = stmt.moduleSpecifier.text;
    if (clause.name) this.imports.push({ local: clause.name.text, specifier, imported: 'default' });
    const nb = clause.namedBindings;
    if (!nb) return;
    if (ts.isNamespaceImport(nb)) this.imports.push({ local: nb.name.text, specifier, imported: '*' });
    else
      for (const el of nb.elements) {
        if (el.isTypeOnly) continue;
        this.imports.push({ local: el.name.text, specifier, imported: moduleExportName(el.propertyName ?? el.name) });
      }
  }

  private exportDecl(stmt: TS.ExportDeclaration): void {
    const ts = this.ts;
    if (stmt.isTypeOnly) return;
    const specifier = stmt.moduleSpecifier && ts.isStringLiteral(stmt.moduleSpecifier) ? stmt.moduleSpecifier.text : undefined;
    const clause = stmt.exportClause;
    if (!clause) {
      if (specifier) this.exports.push({ exported: '*', specifier, imported: '*' });
      return;
    }
    if (ts.isNamespaceExport(clause)) {
      if (specifier) this.exports.push({ exported: moduleExportName(clause.name), specifier, imported: '*' });
      return;
    }
    for (const el of clause.elements) {
      if (el.isTypeOnly) continue;
      const exported = moduleExportName(el.name);
      const inner = moduleExportName(el.propertyName ?? el.name);
      this.exports.push(specifier ? { exported, specifier, imported: inner } : { exported, local: inner });
    }
  }

  private addDecl(name: string, kind: DeclSummary['kind'], stmt: TS.Node, at: TS.Node, bodies: TS.Node[]): void {
    const ts = this.ts;
    const stmtStartPos = ts.getTokenPosOfNode(stmt, this.sf);
    const pos = this.lines.at(at === stmt ? stmtStartPos : ts.getTokenPosOfNode(at, this.sf));
    const end = this.lines.at(stmt.end);
    const stmtStart = this.lines.at(stmtStartPos);
    // The hash covers the declaration itself (for a `const a = 1, b = 2` each declarator), so an
    // edit to `b` does not mark `a` changed; modifiers such as `export` are wiring, not content.
    const body = bodies[0] ?? stmt;
    const hash = kind === 'variable'
      ? normalizedHash(ts, this.text, ts.getTokenPosOfNode(body, this.sf), body.end, this.variant) + declKeyword(ts, stmt)
      : normalizedHash(ts, this.text, contentStart(ts, stmt, stmtStartPos), stmt.end, this.variant);
    const refs: string[] = [];
    const memberRefs: [string, string][] = [];
    for (const b of bodies) collectRefs(ts, b, refs, memberRefs);
    const featureTags = featureTagsOf(this.text, stmt.pos, stmtStartPos);
    this.decls.push({ name, kind, line: pos.line + 1, column: pos.character + 1, startLine: stmtStart.line + 1, endLine: end.line + 1, hash, refs, memberRefs, ...(featureTags.length ? { featureTags } : {}) });
  }
}

/** Line and character of a position, as the compiler counts them. */
interface LineIndex {
  at(pos: number): { line: number; character: number };
}

/**
 * The compiler's line index computes every line start with a loop over the characters; where the
 * text breaks lines with `\n` only (no `\r`, U+2028 or U+2029, the other line terminators the
 * compiler counts) the starts come from the native `indexOf` instead, with the same answers.
 */
function lineIndex(ts: Ts, sf: TS.SourceFile, text: string): LineIndex {
  if (/[\r\u2028\u2029]/.test(text)) return { at: (pos) => ts.getLineAndCharacterOfPosition(sf, pos) };
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return {
    at(pos) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= pos) lo = mid;
        else hi = mid - 1;
      }
      return { line: lo, character: pos - starts[lo] };
    },
  };
}

/**
 * Whether a statement carries a modifier keyword. Reads the node's `modifiers` (keywords and
 * decorators) directly: `getModifiers` builds a filtered copy for each question.
 */
function hasModifier(node: TS.Node, kind: TS.SyntaxKind): boolean {
  const mods = (node as { modifiers?: readonly TS.Node[] }).modifiers;
  if (!mods) return false;
  for (const m of mods) if (m.kind === kind) return true;
  return false;
}

/** Where a declaration's content starts: after `export`/`default` modifiers, which are wiring. */
function contentStart(ts: Ts, stmt: TS.Node, stmtStart: number): number {
  const mods = (stmt as { modifiers?: readonly TS.Node[] }).modifiers;
  let start = stmtStart;
  for (const m of mods ?? []) {
    if (m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword) start = Math.max(start, m.end);
  }
  return start;
}

/** `const`, `let` or `var`: part of a variable's content, since it decides mutability. */
function declKeyword(ts: Ts, stmt: TS.Node): string {
  if (!ts.isVariableStatement(stmt)) return '';
  const flags = stmt.declarationList.flags;
  return flags & ts.NodeFlags.Const ? ':const' : flags & ts.NodeFlags.Let ? ':let' : ':var';
}

/** A diagnostic's message on one line (the parser's are plain strings; a chain is joined by spaces). */
function messageText(m: string | TS.DiagnosticMessageChain): string {
  return typeof m === 'string' ? m : [m.messageText, ...(m.next ?? []).map(messageText)].join(' ');
}

function moduleExportName(n: TS.ModuleExportName): string {
  return n.text;
}

function bindingNames(ts: Ts, name: TS.BindingName): TS.Identifier[] {
  if (ts.isIdentifier(name)) return [name];
  const out: TS.Identifier[] = [];
  for (const el of name.elements) if (!ts.isOmittedExpression(el)) out.push(...bindingNames(ts, el.name));
  return out;
}

/** The children `forEachChild` hands over, collected without a closure per node (see collectRefs). */
const childSink: TS.Node[] = [];
function pushChild(c: TS.Node): undefined {
  childSink.push(c);
  return undefined;
}

/**
 * Collects identifiers used as values under `node`: calls, constant reads, default parameter
 * values, class heritage, shorthand properties. Property names, declaration names and type
 * positions are skipped. `ns.member` is recorded as a member reference as well.
 */
function collectRefs(ts: Ts, node: TS.Node, refs: string[], memberRefs: [string, string][]): void {
  const K = ts.SyntaxKind;
  // An explicit stack, not recursion: a generated `1 + 1 + … + 1` of 100,000 terms is a tree as
  // deep as it is long. Children are pushed in reverse so they are visited in source order.
  const stack: TS.Node[] = [node];
  const pending = childSink;
  pending.length = 0;
  const visit = (n: TS.Node): void => {
    pending.push(n);
  };
  const visitChildren = (n: TS.Node): void => {
    ts.forEachChild(n, pushChild);
  };
  while (stack.length > 0) {
    step(stack.pop()!);
    for (let i = pending.length - 1; i >= 0; i--) stack.push(pending[i]);
    pending.length = 0;
  }

  function step(n: TS.Node): void {
    switch (n.kind) {
      case K.Identifier:
        refs.push((n as TS.Identifier).text);
        return;
      case K.PropertyAccessExpression: {
        const pa = n as TS.PropertyAccessExpression;
        if (ts.isIdentifier(pa.expression)) memberRefs.push([pa.expression.text, pa.name.text]);
        visit(pa.expression);
        return;
      }
      case K.QualifiedName:
        return; // only in type positions and `import x = A.B`
      case K.PropertyAssignment: {
        const p = n as TS.PropertyAssignment;
        if (ts.isComputedPropertyName(p.name)) visit(p.name);
        visit(p.initializer);
        return;
      }
      case K.ShorthandPropertyAssignment: {
        const p = n as TS.ShorthandPropertyAssignment;
        refs.push(p.name.text);
        if (p.objectAssignmentInitializer) visit(p.objectAssignmentInitializer);
        return;
      }
      case K.HeritageClause: {
        const h = n as TS.HeritageClause;
        if (h.token === K.ExtendsKeyword) for (const t of h.types) visit(t.expression);
        return; // `implements` is type-only
      }
      case K.InterfaceDeclaration:
      case K.TypeAliasDeclaration:
      case K.ImportDeclaration:
        return;
      case K.Parameter:
      case K.VariableDeclaration:
      case K.BindingElement:
      case K.PropertyDeclaration:
      case K.MethodDeclaration:
      case K.GetAccessor:
      case K.SetAccessor:
      case K.FunctionDeclaration:
      case K.FunctionExpression:
      case K.ClassDeclaration:
      case K.ClassExpression:
      case K.EnumMember:
      case K.PropertySignature: {
        // Visit everything except the declared name (but a computed name is an expression).
        const name = (n as TS.Node & { name?: TS.Node }).name;
        visitChildren(n);
        if (name && !ts.isComputedPropertyName(name) && !ts.isObjectBindingPattern(name) && !ts.isArrayBindingPattern(name)) {
          const at = pending.indexOf(name);
          if (at >= 0) pending.splice(at, 1);
        }
        return;
      }
      case K.LabeledStatement:
        visit((n as TS.LabeledStatement).statement);
        return;
      case K.BreakStatement:
      case K.ContinueStatement:
        return;
      case K.JsxAttribute:
        if ((n as TS.JsxAttribute).initializer) visit((n as TS.JsxAttribute).initializer!);
        return;
    }
    if (ts.isTypeNode(n) && n.kind !== K.ExpressionWithTypeArguments) return;
    if (n.kind === K.ExpressionWithTypeArguments) {
      visit((n as TS.ExpressionWithTypeArguments).expression);
      return;
    }
    visitChildren(n);
  }
}

/** `@feature NAME` and `@snapshot NAME` from the doc comments between `pos` and `start`. */
function featureTagsOf(text: string, pos: number, start: number): { name: string; snapshot?: string }[] {
  const leading = text.slice(pos, start);
  if (!leading.includes('@feature')) return [];
  const out: { name: string; snapshot?: string }[] = [];
  for (const doc of leading.match(/\/\*\*[\s\S]*?\*\//g) ?? []) {
    const snapshot = /@snapshot\s+([\w.-]+)/.exec(doc)?.[1];
    for (const m of doc.matchAll(/@feature\s+([\w.-]+)/g)) out.push(snapshot ? { name: m[1], snapshot } : { name: m[1] });
  }
  return out;
}
