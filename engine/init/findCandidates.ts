/**
 * `featureguard init`, step two: the functions that may compute a stored column. TypeScript:
 * exported functions (declarations or arrow/function expressions) with one required parameter —
 * `batch` when that parameter's type is an array. Python: top-level `def`s whose syntax shows one
 * of SPEC §9's forms (the front end's `form`). Functions with an `@feature` tag are features
 * already and are left out; test files and private (`_name`) Python functions too.
 *
 * For each candidate the columns it reads are found statically (its own text and the same-module
 * declarations it references, with the column scans `check` uses): a column a function reads is
 * never the column it is matched to (see `matchColumns.ts`).
 */
import type { FeatureKind } from '../config/configTypes';
import type { DeclSummary, LanguageFrontEnd, ModuleSummary } from '../lang/frontEnd';
import { columnsUsed } from '../exec/columnsUsed';
import { pythonColumnsUsed } from '../exec/python/pythonColumns';

export interface Candidate {
  /** Repository-relative file. */
  file: string;
  exportName: string;
  language: 'typescript' | 'python';
  kind: FeatureKind;
  line: number;
  /** The code of the function and the same-module declarations it references (for column scans). */
  code: string;
  /** The names those declarations bind: a word that names one of them is no column read. */
  declNames: string[];
}

/** What the candidates search found besides candidates. */
export interface CandidateSearch {
  candidates: Candidate[];
  /** Feature names declared by `@feature` tags (their columns are features already). */
  tagged: string[];
}

const TS_FILE = /\.(ts|tsx|mts|cts)$/;
const PY_FILE = /\.py$/;
/** Tests, declarations and packaging scripts: no feature code, and importing some has effects. */
const NOT_FEATURE_CODE = /(^|\/)(tests?|__tests__|spec)\/|\.d\.ts$|\.(test|spec)\.[cm]?tsx?$|(^|\/)(test_[^/]*|[^/]*_test|conftest|setup|noxfile|manage)\.py$/;

export function isCandidateFile(path: string): boolean {
  return (TS_FILE.test(path) || PY_FILE.test(path)) && !NOT_FEATURE_CODE.test(path);
}

const PY_FORMS: ReadonlySet<string> = new Set(['row', 'batch', 'series', 'frame', 'feast', 'hamilton']);

/** The candidates of the given modules (path → text), in path order. */
export async function findCandidates(frontEnd: LanguageFrontEnd, texts: Map<string, string>): Promise<CandidateSearch> {
  const paths = [...texts.keys()].filter(isCandidateFile).sort();
  await frontEnd.prepare?.(paths);
  const candidates: Candidate[] = [];
  const tagged: string[] = [];
  for (const path of paths) {
    const text = texts.get(path)!;
    const summary = frontEnd.summarize(path, text);
    if (summary.syntaxErrors.length) continue;
    for (const d of summary.decls) for (const t of d.featureTags ?? []) tagged.push(t.name);
    const lines = text.split('\n');
    const declText = (d: DeclSummary) => lines.slice(d.startLine - 1, d.endLine).join('\n');
    if (TS_FILE.test(path)) {
      for (const e of summary.exports) {
        if (!e.local || e.specifier || e.exported === 'default') continue;
        const d = summary.decls.find((x) => x.name === e.local);
        if (!d || d.featureTags?.length || (d.kind !== 'function' && d.kind !== 'variable')) continue;
        const kind = typescriptKind(declText(d), d.name);
        if (kind) candidates.push({ file: path, exportName: e.exported, language: 'typescript', kind, line: d.line, ...closureText(summary, d, declText) });
      }
    } else {
      for (const d of summary.decls) {
        if (d.kind !== 'function' || !d.form || !PY_FORMS.has(d.form) || d.name.startsWith('_') || d.featureTags?.length) continue;
        candidates.push({ file: path, exportName: d.name, language: 'python', kind: d.form as FeatureKind, line: d.line, ...closureText(summary, d, declText) });
      }
    }
  }
  return { candidates, tagged };
}

/** The declaration's text and that of the same-module declarations it reaches. */
function closureText(summary: ModuleSummary, decl: DeclSummary, declText: (d: DeclSummary) => string): { code: string; declNames: string[] } {
  const seen = new Set<DeclSummary>();
  const visit = (d: DeclSummary) => {
    if (seen.has(d)) return;
    seen.add(d);
    for (const r of d.refs) for (const x of summary.decls) if (x.name === r) visit(x);
  };
  visit(decl);
  return { code: [...seen].map(declText).join('\n'), declNames: [...seen].map((d) => d.name) };
}

/** The columns a candidate's code reads, or an empty set when it enumerates whole rows (it can read any). */
export function inputsOf(c: Candidate, columns: readonly string[]): Set<string> {
  // A docstring that mentions a column ("the same values as sessions_per_week") reads nothing.
  const code = c.language === 'python' ? c.code.replace(/^[ \t]*[rRuU]?("""|''')[\s\S]*?\1/gm, '') : c.code;
  const used = (c.language === 'python' ? pythonColumnsUsed : columnsUsed)(code, columns) ?? new Set();
  // `def tenure_months(row)` names the column tenure_months without reading it; a quoted name is a read.
  for (const name of c.declNames) if (used.has(name) && !c.code.includes(`"${name}"`) && !c.code.includes(`'${name}'`)) used.delete(name);
  return used;
}

/**
 * `row` or `batch` for an exported TypeScript function of one required parameter; undefined for
 * anything else (no parameter, several required ones, a rest parameter, not a function).
 */
export function typescriptKind(text: string, name: string): 'row' | 'batch' | undefined {
  const params = parameterList(text, name);
  if (!params) return undefined;
  const list = splitTopLevel(params).filter((p) => p.trim() && !/^\s*this\s*:/.test(p));
  if (list.length === 0 || list[0].trim().startsWith('...')) return undefined;
  const required = list.filter((p) => !/^\s*[\w$]+\s*\?/.test(p) && !hasDefault(p));
  if (required.length > 1) return undefined;
  const colon = topLevelIndex(list[0], ':');
  const type = colon < 0 ? '' : list[0].slice(colon + 1).trim();
  return /\[\]\s*$|^(readonly\s+)?(Readonly)?Array\s*</.test(type) ? 'batch' : 'row';
}

/** The text between the parentheses of the function's parameter list. */
function parameterList(text: string, name: string): string | undefined {
  const esc = name.replace(/[$]/g, '\\$');
  const fn = new RegExp(`function\\s*\\*?\\s*${esc}\\s*(<[^(]*>)?\\s*\\(`).exec(text);
  let open: number;
  if (fn) open = fn.index + fn[0].length - 1;
  else {
    const v = new RegExp(`\\b${esc}\\s*(:[^=]*)?=\\s*(async\\s+)?(function\\s*\\*?\\s*[\\w$]*\\s*(<[^(]*>)?\\s*\\(|(<[^(]*>)?\\s*\\(|([\\w$]+)\\s*=>)`).exec(text);
    if (!v) return undefined;
    if (v[6]) return v[6];
    open = v.index + v[0].length - 1;
  }
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) {
      const inner = text.slice(open + 1, i);
      // An arrow function: its parameter list is followed by `=>` (or a return type, then `=>`).
      return fn || /^\s*(:[^=]*)?=>/.test(text.slice(i + 1)) || /^\s*\{/.test(text.slice(i + 1)) ? inner : undefined;
    }
  }
  return undefined;
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if ('([{<'.includes(ch)) depth++;
    else if (')]}>'.includes(ch) && !(ch === '>' && s[i - 1] === '=')) depth--;
    else if (ch === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function topLevelIndex(s: string, target: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if ('([{<'.includes(ch)) depth++;
    else if (')]}>'.includes(ch)) depth--;
    else if (ch === target && depth === 0) return i;
  }
  return -1;
}

function hasDefault(param: string): boolean {
  const at = topLevelIndex(param, '=');
  return at >= 0 && param[at + 1] !== '>';
}
