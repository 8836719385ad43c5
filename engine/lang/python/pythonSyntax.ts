/**
 * Python syntax as the front end sees it: tree-sitter's tree copied into plain objects, one
 * top-level statement at a time (so a 5 MB module never holds more than one statement's nodes),
 * and the grammar's node names in one place. The tree-sitter tree is deleted as soon as it has
 * been read: wasm memory is not garbage-collected.
 */
import type { Language, Node as TsNode, TreeCursor } from 'web-tree-sitter';
import type { SyntaxProblem } from '../frontEnd';
import { pythonParser } from './treeSitter';

/** A syntax node: the grammar's type, the field it fills in its parent, and its text range. */
export interface PyNode {
  type: string;
  /** The parent's field this node fills (`name`, `body`, `left`, …), or null. */
  field: string | null;
  /** Anonymous nodes are the grammar's literal tokens (`def`, `(`, `+`). */
  named: boolean;
  /** UTF-16 offsets into the module text. */
  start: number;
  end: number;
  /** 0-based. */
  row: number;
  col: number;
  endRow: number;
  children: PyNode[];
}

/** The grammar's node types the front end gives meaning to. */
export const T = {
  module: 'module',
  identifier: 'identifier',
  comment: 'comment',
  string: 'string',
  concatenatedString: 'concatenated_string',
  interpolation: 'interpolation',
  expressionStatement: 'expression_statement',
  functionDefinition: 'function_definition',
  classDefinition: 'class_definition',
  decoratedDefinition: 'decorated_definition',
  decorator: 'decorator',
  block: 'block',
  assignment: 'assignment',
  augmentedAssignment: 'augmented_assignment',
  importStatement: 'import_statement',
  importFromStatement: 'import_from_statement',
  futureImportStatement: 'future_import_statement',
  aliasedImport: 'aliased_import',
  dottedName: 'dotted_name',
  relativeImport: 'relative_import',
  importPrefix: 'import_prefix',
  wildcardImport: 'wildcard_import',
  ifStatement: 'if_statement',
  elifClause: 'elif_clause',
  elseClause: 'else_clause',
  forStatement: 'for_statement',
  whileStatement: 'while_statement',
  tryStatement: 'try_statement',
  exceptClause: 'except_clause',
  exceptGroupClause: 'except_group_clause',
  finallyClause: 'finally_clause',
  withStatement: 'with_statement',
  withClause: 'with_clause',
  withItem: 'with_item',
  matchStatement: 'match_statement',
  caseClause: 'case_clause',
  casePattern: 'case_pattern',
  classPattern: 'class_pattern',
  keywordPattern: 'keyword_pattern',
  globalStatement: 'global_statement',
  nonlocalStatement: 'nonlocal_statement',
  deleteStatement: 'delete_statement',
  typeAliasStatement: 'type_alias_statement',
  attribute: 'attribute',
  subscript: 'subscript',
  call: 'call',
  keywordArgument: 'keyword_argument',
  lambda: 'lambda',
  lambdaParameters: 'lambda_parameters',
  parameters: 'parameters',
  defaultParameter: 'default_parameter',
  typedParameter: 'typed_parameter',
  typedDefaultParameter: 'typed_default_parameter',
  listSplatPattern: 'list_splat_pattern',
  dictionarySplatPattern: 'dictionary_splat_pattern',
  namedExpression: 'named_expression',
  asPattern: 'as_pattern',
  asPatternTarget: 'as_pattern_target',
  forInClause: 'for_in_clause',
  parenthesizedExpression: 'parenthesized_expression',
  typeParameter: 'type_parameter',
  lineContinuation: 'line_continuation',
  error: 'ERROR',
} as const;

/** Comprehensions: each is a scope of its own. */
export const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

/** Target shapes that unpack into several names (`a, b = …`, `for (k, v) in …`). */
export const UNPACKING = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'expression_list', 'parenthesized_expression', 'list_splat_pattern', 'list_splat']);

/** Compound statements whose bodies are still module scope when they stand at the top level. */
export const COMPOUND: ReadonlySet<string> = new Set<string>([T.ifStatement, T.forStatement, T.whileStatement, T.tryStatement, T.withStatement, T.matchStatement]);

export interface ParsedModule {
  /** The top-level statements, in order (comments excluded). */
  statements: PyNode[];
  syntaxErrors: SyntaxProblem[];
}

const MAX_PROBLEMS = 20;

/**
 * Parses `text` and copies its top-level statements. A byte order mark is dropped; CRLF line
 * endings need nothing (tree-sitter treats `\r` as whitespace).
 */
export function parseModule(text: string): ParsedModule {
  const tree = pythonParser().parse(text);
  if (!tree) return { statements: [], syntaxErrors: [{ line: 1, column: 1, message: 'the parser gave up on this file' }] };
  try {
    const statements: PyNode[] = [];
    const syntaxErrors: SyntaxProblem[] = [];
    const copier = new Copier(text, tree.language, tree.rootNode.hasError ? syntaxErrors : undefined);
    const cursor = tree.walk();
    try {
      if (cursor.gotoFirstChild()) {
        do {
          const stmt = copier.subtree(cursor);
          if (stmt.type !== T.comment) statements.push(stmt);
        } while (cursor.gotoNextSibling());
      }
    } finally {
      cursor.delete();
    }
    if (syntaxErrors.length === 0 && tree.rootNode.hasError) syntaxErrors.push(firstErrorOf(tree.rootNode, text));
    return { statements, syntaxErrors };
  } finally {
    tree.delete();
  }
}

/**
 * Copies nodes under a cursor. Every cursor property is a call into wasm that marshals the cursor,
 * so only four are read per node (type id, field id, start, end); names come from the language's
 * tables, and lines and columns from the text (UTF-16 columns, as LSP counts them).
 */
class Copier {
  private readonly lineStarts: number[] = [0];
  /** Nodes are met in document order, so the line of each start is found by moving forward. */
  private line = 0;
  private readonly types: string[];
  private readonly fields: (string | null)[];
  private readonly named: boolean[] = [];

  constructor(
    private readonly text: string,
    private readonly language: Language,
    /** Where syntax problems go; undefined when the tree has none (the per-node checks are skipped). */
    private readonly problems: SyntaxProblem[] | undefined,
  ) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    this.types = language.types as string[];
    this.fields = language.fields as (string | null)[];
  }

  /** The node under `cursor` and everything below it, iteratively (nesting may be deep). */
  subtree(cursor: TreeCursor): PyNode {
    const root = this.node(cursor);
    const stack: PyNode[] = [root];
    if (!cursor.gotoFirstChild()) return root;
    for (;;) {
      const node = this.node(cursor);
      stack[stack.length - 1].children.push(node);
      if (cursor.gotoFirstChild()) {
        stack.push(node);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        cursor.gotoParent();
        stack.pop();
        if (stack.length === 0) return root;
      }
    }
  }

  private node(cursor: TreeCursor): PyNode {
    const typeId = cursor.nodeTypeId;
    const fieldId = cursor.currentFieldId;
    const start = cursor.startIndex;
    const end = cursor.endIndex;
    const type = this.types[typeId] || T.error;
    let named = this.named[typeId];
    if (named === undefined) named = this.named[typeId] = type === T.error || this.language.nodeTypeIsNamed(typeId);
    while (this.line + 1 < this.lineStarts.length && this.lineStarts[this.line + 1] <= start) this.line++;
    const row = this.line;
    const col = start - this.lineStarts[row];
    if (this.problems && this.problems.length < MAX_PROBLEMS) {
      if (cursor.nodeIsMissing) this.problems.push({ line: row + 1, column: col + 1, message: `missing "${type}"` });
      else if (type === T.error) this.problems.push({ line: row + 1, column: col + 1, message: `invalid syntax near ${quoteSnippet(this.text.slice(start, end))}` });
    }
    return { type, field: fieldId ? (this.fields[fieldId] ?? null) : null, named, start, end, row, col, endRow: this.rowOf(end), children: [] };
  }

  private rowOf(offset: number): number {
    let lo = this.line;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** When the tree reports an error the cursor walk did not meet (it always should), say where. */
function firstErrorOf(node: TsNode, text: string): SyntaxProblem {
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.isError || n.isMissing) return { line: n.startPosition.row + 1, column: n.startPosition.column + 1, message: `invalid syntax near ${quoteSnippet(text.slice(n.startIndex, n.endIndex))}` };
    for (let i = n.childCount - 1; i >= 0; i--) stack.push(n.child(i)!);
  }
  return { line: 1, column: 1, message: 'invalid syntax' };
}

function quoteSnippet(s: string): string {
  const oneLine = s.replace(/\s+/g, ' ').trim();
  return JSON.stringify(oneLine.length > 30 ? oneLine.slice(0, 30) + '…' : oneLine);
}

/** The child filling `field`, if any. */
export function field(node: PyNode, name: string): PyNode | undefined {
  for (const c of node.children) if (c.field === name) return c;
  return undefined;
}

/** Every child filling `field`. */
export function fields(node: PyNode, name: string): PyNode[] {
  return node.children.filter((c) => c.field === name);
}

export function namedChildren(node: PyNode): PyNode[] {
  return node.children.filter((c) => c.named && c.type !== T.comment);
}

export function textOf(text: string, node: PyNode): string {
  return text.slice(node.start, node.end);
}

/** A statement that is a plain string literal: a docstring when it comes first in a body. */
export function isDocstring(stmt: PyNode, text: string): boolean {
  if (stmt.type !== T.expressionStatement) return false;
  const inner = namedChildren(stmt);
  if (inner.length !== 1) return false;
  const s = inner[0];
  if (s.type === T.concatenatedString) return s.children.every((c) => c.type !== T.string || !isFString(c, text));
  return s.type === T.string && !isFString(s, text);
}

function isFString(s: PyNode, text: string): boolean {
  return /^[a-zA-Z]*[fFtT]/.test(text.slice(s.start, s.start + 3)) && s.children.some((c) => c.type === T.interpolation);
}

/** The statements of a block (or a module), comments excluded. */
export function statementsOf(block: PyNode | undefined): PyNode[] {
  return block ? block.children.filter((c) => c.named && c.type !== T.comment) : [];
}
