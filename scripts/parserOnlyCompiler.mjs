/**
 * Writes dist/typescript.js: the TypeScript compiler cut down to what FeatureGuard calls, its
 * scanner and parser. The engine parses with the compiler (engine/lang/typescript/) but never
 * type-checks, emits or runs the language service; a run that parses loads the whole compiler
 * otherwise (3.6 MB minified, ~40 ms with V8's code cache, most of it the top level of code it
 * never calls: 2,300 export getters, the services' code-fix registrations, the checker's tables).
 *
 * The compiler's bundle is esbuild output of its ES modules, one source file after another in
 * dependency order, each marked `// src/compiler/<file>.ts`. The cut keeps everything before
 * `commandLineParser.ts` (core, scanner, utilities, node factory, parser), replaces the export
 * list by the names the engine uses (`PARSER_API`, engine/lang/typescript/parserApi.ts), keeps the
 * ~160 diagnostic messages the kept code can report of the ~2,100, leaves the Node host (`sys`)
 * out and lets esbuild drop what nothing reaches.
 *
 * What the build checks, failing loudly rather than shipping a compiler that breaks at run time:
 * - every marker it cuts at is found (a new TypeScript may move them);
 * - every exported name is defined in the kept part;
 * - the Diagnostics table is read by name only (so unnamed messages can go);
 * - the kept part refers to no name defined only in the cut part, apart from `UNREACHED` below,
 *   each of which a parse never reaches and which throws if it ever is; and every name there is
 *   still referred to (the list cannot go stale).
 * `test/engine/parserOnlyCompiler.test.ts` compares its summaries with the whole compiler's.
 */
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Names the kept code mentions on paths a parse of .ts/.tsx/.js/.jsx never takes: the debug
 * formatters (`Debug.formatCheckMode` …), the script target's name in messages, JSON files (parsed
 * only as ScriptKind.JSON) and the node factory's helpers for the transformers (generated names,
 * visiting). Each is a function that throws; the build fails when one is no longer mentioned.
 */
const UNREACHED = ['CheckMode', 'SignatureCheckMode', 'TypeFacts', 'targetOptionDeclaration', 'convertToJson', 'getNodeId', 'visitNode'];

const CUT_AT = '// src/compiler/commandLineParser.ts';

const PATCHES = [
  // The language service gives identifiers a `text` getter (IdentifierObject); the compiler's
  // own nodes have only `escapedText`. The summarizer reads `.text`, as with the whole compiler.
  'Object.defineProperty(objectAllocator.getIdentifierConstructor().prototype, "text", { get() { return idText(this); }, configurable: true });',
  '{ const Base = objectAllocator.getNodeConstructor(); function PrivateIdentifier(kind, pos, end) { Base.call(this, kind, pos, end); } PrivateIdentifier.prototype = Object.create(Base.prototype, { text: { get() { return idText(this); }, configurable: true } }); setObjectAllocator({ getPrivateIdentifierConstructor: () => PrivateIdentifier }); }',
];

/**
 * `lines` with only the entries of the `Diagnostics` table (every message of the compiler, created
 * at load) that the rest of `lines` names. Fails if the table is read other than as `Diagnostics.X`.
 */
function withUsedDiagnostics(lines, from) {
  const start = lines.indexOf('var Diagnostics = {');
  const end = lines.indexOf('};', start);
  if (start < 0 || end < 0) throw new Error(`${from}: the Diagnostics table not found; scripts/parserOnlyCompiler.mjs needs updating for this TypeScript`);
  const rest = [...lines.slice(0, start), ...lines.slice(end + 1)].join('\n');
  const uses = [...rest.matchAll(/(?<![\w$.])Diagnostics\b(\.[A-Za-z0-9_]+)?/g)];
  if (uses.some((m) => !m[1])) throw new Error(`${from}: Diagnostics is used other than as Diagnostics.<name>; scripts/parserOnlyCompiler.mjs cannot prune it`);
  const used = new Set(uses.map((m) => m[1].slice(1)));
  const entries = [];
  for (const line of lines.slice(start + 1, end)) {
    const name = /^  ([A-Za-z0-9_]+): diag\(/.exec(line)?.[1];
    if (name || entries.length === 0) entries.push({ name, lines: [line] });
    else entries.at(-1).lines.push(line); // an entry over several lines
  }
  const keptEntries = entries.filter((e) => e.name === undefined || used.has(e.name));
  const missing = [...used].filter((n) => !entries.some((e) => e.name === n));
  if (missing.length) throw new Error(`${from}: Diagnostics.${missing[0]} is used but not in the table`);
  return [...lines.slice(0, start + 1), ...keptEntries.flatMap((e) => e.lines), ...lines.slice(end)];
}

/**
 * `lines` with the compiler's `sys` (its Node host: file system, watchers, hashing, the process)
 * left undefined, as in a browser, which the compiler supports: building it at load required
 * Node's modules and probed the file system, and a parse never uses it.
 */
function withoutSystem(lines, from) {
  const start = lines.indexOf('var sys = (() => {');
  const end = lines.indexOf('})();', start);
  if (start < 0 || end < 0) throw new Error(`${from}: the compiler's sys not found; scripts/parserOnlyCompiler.mjs needs updating for this TypeScript`);
  return [...lines.slice(0, start), 'var sys = void 0;', ...lines.slice(end + 1)];
}

/** The names `PARSER_API` lists, read from the engine's own module. */
function parserApi() {
  const { outputFiles } = esbuild.buildSync({ entryPoints: ['engine/lang/typescript/parserApi.ts'], bundle: true, format: 'cjs', platform: 'node', write: false });
  const module = { exports: {} };
  new Function('module', 'exports', outputFiles[0].text)(module, module.exports);
  return module.exports.PARSER_API;
}

export function writeParserOnlyCompiler(from, to) {
  const lines = readFileSync(from, 'utf8').split('\n');
  const at = (predicate, what) => {
    const i = lines.findIndex(predicate);
    if (i < 0) throw new Error(`${from}: ${what} not found; scripts/parserOnlyCompiler.mjs needs updating for this TypeScript`);
    return i;
  };
  const open = at((l) => l.startsWith('var ts = {}; ((module) => {'), 'the module wrapper');
  const exportsStart = at((l) => l === 'var typescript_exports = {};', 'the export list');
  const exportsEnd = at((l) => l.startsWith('module.exports = __toCommonJS(typescript_exports)'), 'the end of the export list');
  const cut = at((l) => l === CUT_AT, CUT_AT);
  const license = lines.slice(0, open).join('\n');
  const kept = withoutSystem(withUsedDiagnostics([...lines.slice(open + 1, exportsStart), ...lines.slice(exportsEnd + 1, cut)], from), from).join('\n');
  const dropped = lines.slice(cut).join('\n');

  const api = parserApi();
  const declared = (code) => new Set([...code.matchAll(/^(?:async )?(?:function\*? |var |let |const |class )([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]));
  const keptNames = declared(kept);
  const missing = api.filter((n) => !keptNames.has(n));
  if (missing.length) throw new Error(`${from}: the parser-only cut does not define ${missing.join(', ')}`);

  const build = (stubs) => esbuild.buildSync({
    stdin: { contents: [kept, stubs, ...PATCHES, `export { ${api.join(', ')} };`].join('\n'), loader: 'js', sourcefile: 'typescript-parser.js' },
    bundle: true, write: false, format: 'cjs', platform: 'node', target: 'node20', minify: true, charset: 'ascii', logLevel: 'warning',
  }).outputFiles[0].text;
  // Built once without the stubs: whatever of the dropped code it still names is left unrenamed.
  const onlyDropped = [...declared(dropped)].filter((n) => !keptNames.has(n));
  const reached = referencedNames(build(''), new Set(onlyDropped));
  const unexpected = reached.filter((n) => !UNREACHED.includes(n));
  if (unexpected.length) throw new Error(`${from}: the parser-only cut refers to ${unexpected.join(', ')}, defined only in the code it drops (add the file that defines it, or to UNREACHED if a parse never gets there)`);
  const stale = UNREACHED.filter((n) => !reached.includes(n));
  if (stale.length) throw new Error(`${from}: UNREACHED names ${stale.join(', ')}, which the parser-only cut no longer refers to: take them out`);
  const code = build(UNREACHED.map((n) => `function ${n}() { throw new Error("FeatureGuard's parser-only TypeScript has no ${n} (scripts/parserOnlyCompiler.mjs)"); }`).join('\n'));
  writeFileSync(to, `${license}\n${code}`);
}

/**
 * Which of `names` the minified `code` still refers to: minifying renames every binding it
 * declares, so a long name left in code (not in a string, template text, regular expression,
 * comment, property access or object key) is a free variable.
 */
function referencedNames(code, names) {
  const found = new Set();
  for (const [start, end] of codeSpans(code)) {
    const span = code.slice(start, end);
    for (const m of span.matchAll(/(?<![.\w$#])([A-Za-z_$][\w$]*)(?![\w$])/g)) {
      if (!names.has(m[1])) continue;
      let before = m.index - 1;
      while (before >= 0 && /\s/.test(span[before])) before--;
      let after = m.index + m[1].length;
      while (after < span.length && /\s/.test(span[after])) after++;
      const isKey = (span[before] === '{' || span[before] === ',') && span[after] === ':';
      if (!isKey) found.add(m[1]);
    }
  }
  return [...found].sort();
}

const REGEX_AFTER_WORD = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|instanceof|yield|await)$/;

/** The [start, end) ranges of `code` that are code: strings, template text, regular expressions and comments are skipped. */
function codeSpans(code) {
  const spans = [];
  const braces = []; // for each open `${`: the depth of `{` inside it
  let from = 0;
  let i = 0;
  const skipTemplateText = () => {
    // At the character after a backtick or a template's closing `}`: to the closing backtick or `${`.
    for (; i < code.length; i++) {
      if (code[i] === '\\') i++;
      else if (code[i] === '`') { i++; return; }
      else if (code[i] === '$' && code[i + 1] === '{') { i += 2; braces.push(0); return; }
    }
  };
  while (i < code.length) {
    const c = code[i];
    if (c === '"' || c === "'" || c === '`' || (c === '}' && braces.length && braces.at(-1) === 0) || (c === '/' && (code[i + 1] === '/' || code[i + 1] === '*' || startsRegex(code, i)))) {
      spans.push([from, i]);
      if (c === '"' || c === "'") {
        for (i++; i < code.length && code[i] !== c; i++) if (code[i] === '\\') i++;
        i++;
      } else if (c === '`') { i++; skipTemplateText(); }
      else if (c === '}') { braces.pop(); i++; skipTemplateText(); }
      else if (code[i + 1] === '/') i = code.indexOf('\n', i) < 0 ? code.length : code.indexOf('\n', i);
      else if (code[i + 1] === '*') i = code.indexOf('*/', i + 2) + 2;
      else {
        let inClass = false;
        for (i++; i < code.length && (inClass || code[i] !== '/'); i++) {
          if (code[i] === '\\') i++;
          else if (code[i] === '[') inClass = true;
          else if (code[i] === ']') inClass = false;
        }
        i++;
      }
      from = i;
      continue;
    }
    if (braces.length && c === '{') braces[braces.length - 1]++;
    else if (braces.length && c === '}') braces[braces.length - 1]--;
    i++;
  }
  spans.push([from, code.length]);
  return spans;
}

/** Whether the `/` at `i` starts a regular expression rather than dividing. */
function startsRegex(code, i) {
  let j = i - 1;
  while (j >= 0 && /\s/.test(code[j])) j--;
  if (j < 0) return true;
  if ('(,=:[!&|?{};~+-*%<>^'.includes(code[j])) return true;
  return REGEX_AFTER_WORD.test(code.slice(Math.max(0, j - 11), j + 1));
}
