/**
 * The normalized content of Python syntax, for declaration hashes: comments, docstrings, blank
 * lines, line continuations, redundant parentheses, trailing commas and quote style are no
 * change. The stream keeps the tree's shape (a marker per named node), so an edit that changes
 * only indentation — a statement moved into or out of a block — is a change even though every
 * token is the same.
 */
import { createHash, type Hash } from 'node:crypto';
import { T, isDocstring, statementsOf, type PyNode } from './pythonSyntax';

const CLOSERS = new Set([')', ']', '}']);

/** `(a, b)` and `a, b` are the same tuple (and the same target): only the parentheses differ. */
const SAME_AS: Record<string, string> = { tuple: 'expression_list', tuple_pattern: 'pattern_list' };

/** Feeds the normalized tokens of `node` into `hash`, in one update (a call per token costs more than the tokens). */
export function hashTokens(hash: Hash, node: PyNode, text: string): void {
  const out: string[] = [];
  collectTokens(out, node, text);
  hash.update(out.join(''));
}

function collectTokens(out: string[], node: PyNode, text: string): void {
  const hash = { update: (t: string) => void out.push(t) };
  // An explicit stack: generated code nests deeper than the JS stack allows.
  const stack: (PyNode | string)[] = [node];
  while (stack.length) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      hash.update(item);
      continue;
    }
    const n = item;
    if (n.type === T.comment || n.type === T.lineContinuation) continue;
    if (n.type === T.string) {
      hash.update(`\u0001${stringToken(n, text)}`);
      continue;
    }
    if (n.children.length === 0) {
      hash.update(`\u0001${text.slice(n.start, n.end)}`);
      continue;
    }
    const transparent = n.type === T.parenthesizedExpression;
    const parensOptional = transparent || n.type in SAME_AS;
    if (!transparent && n.named) {
      hash.update(`\u0002${SAME_AS[n.type] ?? n.type}`);
      stack.push('\u0003');
    }
    const children = n.children;
    const docstring = docstringOf(n, text);
    // Push in reverse so they pop in order; text between children that no child covers is hashed
    // too (it should only ever be whitespace, but a missed change is worse than a false one).
    const parts: (PyNode | string)[] = [];
    let pos = n.start;
    for (let i = 0; i < children.length; i++) {
      const c = children[i];
      const gap = text.slice(pos, c.start);
      if (gap.trim() && gap.replace(/\\\r?\n/g, '').trim()) parts.push(`\u0001${gap.trim()}`);
      pos = c.end;
      if (c === docstring) continue;
      if (parensOptional && !c.named && (c.type === '(' || c.type === ')')) continue;
      if (c.type === ',' && !c.named && CLOSERS.has(nextToken(children, i))) continue;
      parts.push(c);
    }
    const tail = text.slice(pos, n.end);
    if (tail.trim() && tail.replace(/\\\r?\n/g, '').trim()) parts.push(`\u0001${tail.trim()}`);
    for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
  }
}

/** A hash of several nodes' normalized tokens, in order. */
export function normalizedHash(nodes: PyNode[], text: string): string {
  const h = createHash('sha1');
  for (const n of nodes) {
    hashTokens(h, n, text);
    h.update('\u0004');
  }
  return h.digest('hex');
}

/** The docstring of a function's or class's body, which is no part of its content. */
function docstringOf(n: PyNode, text: string): PyNode | undefined {
  if (n.type !== T.block) return undefined;
  const first = statementsOf(n)[0];
  return first && isDocstring(first, text) ? first : undefined;
}

function nextToken(children: PyNode[], i: number): string {
  for (let j = i + 1; j < children.length; j++) if (children[j].type !== T.comment) return children[j].type;
  return '';
}

/**
 * A string literal by prefix and content: `'a'`, `"a"` and `"""a"""` are the same token, `b'a'`
 * and `r'a'` are not. The content stays raw (escapes and f-string parts included).
 */
function stringToken(n: PyNode, text: string): string {
  const raw = text.slice(n.start, n.end);
  const m = /^([a-zA-Z]*)('''|"""|'|")/.exec(raw);
  if (!m) return raw;
  const q = m[2];
  const body = raw.endsWith(q) && raw.length >= m[0].length + q.length ? raw.slice(m[0].length, raw.length - q.length) : raw.slice(m[0].length);
  return `${m[1].toLowerCase()}"${body}`;
}
