/**
 * A `UserError` from a run — a config the engine cannot use, no usable Python interpreter, a
 * snapshot it cannot read — as an Error diagnostic on the config file (code `config`), so that it
 * is in the Problems list beside the status bar message and the user lands where to fix it. The
 * message is one line that may name a key path (`features.spend.kind`, `python.interpreter`,
 * `python.paths[1]`): the diagnostic stands on that key, or on the deepest part of the path the
 * file has (`features.spend` when `kind` is the key missing). A message that names a path the
 * config holds as a value (`data/customers.parquet is a Git LFS pointer`) stands on that value; a
 * JSON syntax error names its line and column; anything else stands on line 1.
 */
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver';
import { offsetRange, SOURCE, toRange, type DiagnosticData } from './toProto';

/** The diagnostic code of a config (or environment) error. */
export const CONFIG_CODE = 'config';

/** One Error diagnostic per distinct message, on the config whose current text is `configText`. */
export function configDiagnostics(messages: Iterable<string>, configText: string | undefined, folderUri: string): Diagnostic[] {
  const data: DiagnosticData = { folderUri };
  return [...new Set(messages)].map((message) => ({
    range: rangeOf(message, configText ?? ''),
    severity: DiagnosticSeverity.Error,
    source: SOURCE,
    code: CONFIG_CODE,
    message,
    data,
  }));
}

/** Where in the config `message` points. */
export function rangeOf(message: string, text: string): Range {
  const lines = text.split('\n');
  // `featureguard.json:3:7: invalid JSON (…)`
  const at = /^[^\s:][^:]*:(\d+):(\d+): /.exec(message);
  if (at) {
    const line = Number(at[1]);
    return toRange({ line, column: Number(at[2]) }, lines[line - 1]);
  }
  const node = nodeNamedBy(message, text);
  if (node) return offsetRange(text, node.offset, node.length);
  return toRange({ line: 1, column: 1 }, lines[0]);
}

/** The key or value `message` names, in a config whose text is an object. */
function nodeNamedBy(message: string, text: string): Node | undefined {
  try {
    const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
    if (root?.type !== 'object') return undefined;
    return keyNode(message, root) ?? pathValueNode(message, root);
  } catch {
    return undefined; // nested too deeply for the parser: line 1 then
  }
}

/**
 * The node of the first key path in `message` whose first key is a top-level key of the config:
 * the property's key, or an array element; for a path the file lacks the end of, its deepest
 * present part.
 */
function keyNode(message: string, root: Node): Node | undefined {
  // A dotted name not inside a path or a file name: `python.interpreter`, `features.x.examples[0].input`.
  for (const m of message.matchAll(/(?<![\w$./\\-])[A-Za-z_$][\w$-]*(?:\.[\w$-]+|\[\d+\])+/g)) {
    const path = [...m[0].matchAll(/[\w$-]+|\[(\d+)\]/g)].map((s) => (s[1] !== undefined ? Number(s[1]) : s[0]));
    if (!findNodeAtLocation(root, [path[0]])) continue;
    for (let n = path.length; n > 0; n--) {
      const node = findNodeAtLocation(root, path.slice(0, n));
      if (!node) continue;
      // A property's value: point at its key, where the user reads the name.
      return node.parent?.type === 'property' ? node.parent.children![0] : node;
    }
  }
  return undefined;
}

/** The string value of the config that looks like a path and comes first in `message`. */
function pathValueNode(message: string, root: Node): Node | undefined {
  let best: { node: Node; at: number } | undefined;
  const visit = (node: Node) => {
    if (node.type === 'string' && typeof node.value === 'string' && /[/\\]|\.\w+$/.test(node.value) && !isKey(node)) {
      // The value as a whole word of the message, not a part of a longer path.
      const escaped = node.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const at = new RegExp(`(?<![\\w./\\\\-])${escaped}(?![\\w/\\\\-]|\\.\\w)`).exec(message)?.index;
      if (at !== undefined && (!best || at < best.at)) best = { node, at };
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(root);
  return best?.node;
}

const isKey = (node: Node) => node.parent?.type === 'property' && node.parent.children?.[0] === node;
