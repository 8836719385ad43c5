/**
 * How a Python feature function is called (SPEC §9 "Forms"), told from its syntax alone:
 * decorators, annotations and parameter names. Undefined when the syntax does not say; the
 * config must then give `kind`.
 */
import { T, field, namedChildren, type PyNode } from './pythonSyntax';
import { parameterNames } from './pythonScopes';

export type PythonForm = 'row' | 'batch' | 'series' | 'frame' | 'feast' | 'hamilton';

export interface ParameterInfo {
  name: string;
  annotation?: string;
  hasDefault: boolean;
  /** `*args` / `**kwargs`. */
  variadic: boolean;
}

/** The parameters of a `def`, in order; `self`-less (module-level functions only get here). */
export function parametersOf(def: PyNode, text: string): ParameterInfo[] {
  const params = field(def, 'parameters');
  if (!params) return [];
  const out: ParameterInfo[] = [];
  for (const p of namedChildren(params)) {
    if (p.type === 'keyword_separator' || p.type === 'positional_separator') continue;
    const names = parameterNames(p);
    if (names.length !== 1) continue;
    const type = field(p, 'type');
    const variadic = p.type === T.listSplatPattern || p.type === T.dictionarySplatPattern || (p.type === T.typedParameter && p.children.some((c) => c.type === T.listSplatPattern || c.type === T.dictionarySplatPattern));
    out.push({
      name: text.slice(names[0].start, names[0].end),
      annotation: type ? compact(text.slice(type.start, type.end)) : undefined,
      hasDefault: p.type === T.defaultParameter || p.type === T.typedDefaultParameter,
      variadic,
    });
  }
  return out;
}

/** The form a top-level `def` declares, with its decorators (the `decorated_definition` when there is one). */
export function detectForm(def: PyNode, decorators: PyNode[], text: string): PythonForm | undefined {
  for (const d of decorators) if (/(^|\.)on_demand_feature_view$/.test(decoratorName(d, text))) return 'feast';
  const params = parametersOf(def, text).filter((p) => !p.variadic);
  const returns = field(def, 'return_type');
  const ret = returns ? compact(text.slice(returns.start, returns.end)) : '';
  const required = params.filter((p) => !p.hasDefault);
  const seriesParams = params.filter((p) => p.annotation !== undefined && isSeries(p.annotation));
  const scalarParams = params.filter((p) => p.annotation !== undefined && isScalar(p.annotation));
  // Hamilton: every parameter is a Series or a scalar, and at least one is a Series (or several
  // parameters at all) — a `df` function takes one frame, a Hamilton node takes named inputs.
  const hamiltonish = params.length > 0 && seriesParams.length + scalarParams.length === params.length && (seriesParams.length > 0 || params.length > 1);
  if (hamiltonish && (isSeries(ret) || isScalar(ret) || ret === '')) return 'hamilton';
  if (isSeries(ret) || /(^|\.)ndarray(\[|$)/.test(ret)) return 'series';
  if (/(^|\.)DataFrame$/.test(ret)) return 'frame';
  if (required.length === 1) {
    const p = required[0];
    if (['row', 'r', 'record'].includes(p.name)) return 'row';
    if (p.annotation && isMapping(p.annotation)) return 'row';
    if (p.name === 'rows' || (p.annotation && isList(p.annotation))) return 'batch';
  }
  return undefined;
}

/** The decorator's callee as written: `on_demand_feature_view`, `feast.on_demand_feature_view`. */
export function decoratorName(d: PyNode, text: string): string {
  let expr: PyNode | undefined = namedChildren(d)[0];
  if (expr?.type === T.call) expr = field(expr, 'function');
  return expr ? compact(text.slice(expr.start, expr.end)) : '';
}

function compact(s: string): string {
  return s.replace(/\s+/g, '').replace(/^["']|["']$/g, '');
}

function isSeries(a: string): boolean {
  return /(^|\.)Series(\[.*\])?$/.test(a);
}

function isScalar(a: string): boolean {
  return /^(float|int|str|bool|np\.(float64|int64|float32|int32)|numpy\.(float64|int64))$/.test(a);
}

function isMapping(a: string): boolean {
  return /^((typing|t)\.)?(dict|Dict|Mapping|MutableMapping)(\[.*\])?$/.test(a);
}

function isList(a: string): boolean {
  return /^((typing|t)\.)?(list|List|Sequence)(\[.*\])?$/.test(a);
}
