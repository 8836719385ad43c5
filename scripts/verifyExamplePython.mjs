// Checks that the Python churn example reproduces its feature-store snapshot: every feature that
// examples/churn-py/featureguard.json configures, and every `@feature`-tagged def, is run on every
// row of data/customers.parquet and compared with the stored column, exactly (bit-for-bit floats,
// null for None/NaN) and by type (an INT32 column wants `int`, a DOUBLE column `float`, a string
// column `str`). Row features run a second time on `python3` from PATH (which may lack pandas):
// the modules they import must need only the standard library.
// Run from anywhere: node scripts/verifyExamplePython.mjs [--python /path/to/python3]
// Exits 0 when everything matches, 1 on any mismatch or error.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import jsonc from 'jsonc-parser';

const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'churn-py');
const pythonArg = process.argv.indexOf('--python');
const FULL_PYTHON = pythonArg > 0 ? process.argv[pythonArg + 1] : '/usr/bin/python3';
const STDLIB_PYTHON = 'python3';

// ---- the configuration and the features it names ----------------------------------------------

const config = jsonc.parse(readFileSync(join(EXAMPLE, 'featureguard.json'), 'utf8'), [], { allowTrailingComma: true });
const roots = (config.python?.paths ?? ['']).map((p) => resolve(EXAMPLE, p));
const snapshot = config.snapshots[config.defaultSnapshot];

/** `src/churn_features/customer.py` → `churn_features.customer`, from the longest import root holding it. */
function moduleName(absFile) {
  const root = roots.filter((r) => absFile.startsWith(r + sep)).sort((a, b) => b.length - a.length)[0];
  if (!root) throw new Error(`${relative(EXAMPLE, absFile)} is under no python.paths root`);
  const parts = relative(root, absFile).replace(/\.py$/, '').split(sep);
  if (parts.at(-1) === '__init__') parts.pop();
  return parts.join('.');
}

/** The header of `def name(...) -> ...:` in a module's text, or undefined. */
function defHeader(text, name) {
  const m = new RegExp(`^def\\s+${name}\\s*\\(([^)]*)\\)\\s*(?:->\\s*([^:]+?))?\\s*:`, 'm').exec(text);
  return m && { params: m[1].split(',').map((p) => p.trim()).filter(Boolean), returns: m[2]?.trim() };
}

/** SPEC §9's detection, for the two forms this example uses. */
function detectKind(header) {
  if (/^(pd\.|pandas\.)?Series$|^(np\.|numpy\.)?ndarray$/.test(header.returns ?? '')) return 'series';
  const [only, ...rest] = header.params;
  if (only && rest.length === 0 && /^(row|r|record)\b/.test(only)) return 'row';
  return undefined;
}

const features = [];
const configErrors = [];
function addFeature(name, absFile, fn, spec = {}, into = features) {
  const text = readFileSync(absFile, 'utf8');
  const header = defHeader(text, fn);
  const kind = spec.kind ?? (header && detectKind(header));
  if (!header) configErrors.push(`${name}: no top-level def ${fn} in ${relative(EXAMPLE, absFile)}`);
  else if (!kind) configErrors.push(`${name}: cannot tell the kind of ${fn}(${header.params.join(', ')})`);
  else into.push({ name, column: spec.column ?? name, module: moduleName(absFile), function: fn, kind, source: `${relative(EXAMPLE, absFile)}#${fn}` });
}
for (const [name, spec] of Object.entries(config.features ?? {})) {
  const [file, fn] = spec.source.split('#');
  addFeature(name, resolve(EXAMPLE, file), fn, spec);
}

/** `@feature NAME` in the docstring of a top-level def (config entries win). */
function* pythonFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== '__pycache__') yield* pythonFiles(join(dir, entry.name));
    else if (entry.name.endsWith('.py')) yield join(dir, entry.name);
  }
}
const tagged = /^def\s+(\w+)\s*\([^)]*\)[^:]*:\s*\n\s+(?:"""|''')([\s\S]*?)(?:"""|''')/gm;
for (const root of roots) {
  for (const file of pythonFiles(root)) {
    for (const m of readFileSync(file, 'utf8').matchAll(tagged)) {
      const tag = /@feature\s+(\w+)/.exec(m[2]);
      if (tag && !features.some((f) => f.name === tag[1])) addFeature(tag[1], file, m[1]);
    }
  }
}

// The row form of sessions_per_week is no configured feature (the pandas form produces the stored
// column), but engagement_score builds on it: it must give the stored values too.
const alsoChecked = [];
addFeature('sessions_per_week (row form)', join(EXAMPLE, 'src/churn_features/activity.py'), 'sessions_per_week', { column: 'sessions_per_week' }, alsoChecked);

// ---- the snapshot ------------------------------------------------------------------------------

const file = await asyncBufferFromFile(resolve(EXAMPLE, snapshot.path));
const metadata = await parquetMetadataAsync(file);
const columnTypes = Object.fromEntries(parquetSchema(metadata).children.map((c) => [c.element.name, c.element.type]));
const table = (await parquetReadObjects({ file, compressors })).map((row) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
);
const stored = new Set(features.map((f) => f.column));
const inputColumns = Object.keys(columnTypes).filter((c) => !stored.has(c));
const inputs = table.map((row) => Object.fromEntries(inputColumns.map((c) => [c, row[c] ?? null])));

// ---- running the features in Python ------------------------------------------------------------

const DRIVER = String.raw`
import importlib, json, math, sys

payload = json.load(sys.stdin)
sys.path[:0] = payload["paths"]
doubles = [c for c, t in payload["types"].items() if t in ("DOUBLE", "FLOAT")]
rows = payload["rows"]
for row in rows:  # JSON writes 29.0 as 29: DOUBLE columns arrive as float, as typed columns would
    for c in doubles:
        if row.get(c) is not None:
            row[c] = float(row[c])


def plain(v):
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()  # numpy scalar -> Python scalar
    if isinstance(v, float) and not math.isfinite(v):
        return None if math.isnan(v) else repr(v)
    return v


out = {}
for f in payload["features"]:
    try:
        fn = getattr(importlib.import_module(f["module"]), f["function"])
        if f["kind"] == "row":
            values = [fn(dict(row)) for row in rows]
        else:
            import pandas as pd

            result = fn(pd.DataFrame(rows))
            values = list(result)  # by position
            if len(values) != len(rows):
                raise ValueError(f"{len(values)} values for {len(rows)} rows")
        types = sorted({type(plain(v)).__name__ for v in values})
        out[f["name"]] = {"values": [plain(v) for v in values], "types": types}
    except Exception as e:
        out[f["name"]] = {"error": f"{type(e).__name__}: {e}"}
json.dump({"python": sys.executable, "version": sys.version.split()[0], "features": out}, sys.stdout)
`;

function runPython(python, selected) {
  const payload = JSON.stringify({ paths: roots, types: columnTypes, rows: inputs, features: selected });
  const run = spawnSync(python, ['-B', '-c', DRIVER], { input: payload, encoding: 'utf8', maxBuffer: 1 << 28, cwd: EXAMPLE });
  if (run.error || run.status !== 0) {
    throw new Error(`${python} failed (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr.trim().split('\n').at(-1) ?? ''}`);
  }
  return JSON.parse(run.stdout);
}

// ---- comparing with the stored columns ---------------------------------------------------------

const EXPECTED_TYPES = { INT32: ['int'], INT64: ['int'], DOUBLE: ['float'], FLOAT: ['float'], BYTE_ARRAY: ['str'] };

function compare(feature, result) {
  if (result.error) return { ok: false, note: result.error };
  const column = table.map((row) => row[feature.column] ?? null);
  let mismatches = 0;
  let maxAbsDiff = 0;
  let first;
  column.forEach((want, i) => {
    const got = result.values[i];
    if (typeof want === 'number' && typeof got === 'number') maxAbsDiff = Math.max(maxAbsDiff, Math.abs(want - got));
    if (got !== want) {
      mismatches++;
      first ??= `row ${i}: stored ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
    }
  });
  const allowed = [...(EXPECTED_TYPES[columnTypes[feature.column]] ?? []), ...(column.includes(null) ? ['NoneType'] : [])];
  const badTypes = result.types.filter((t) => !allowed.includes(t));
  const notes = [first, badTypes.length ? `type ${badTypes.join('/')} in a ${columnTypes[feature.column]} column` : undefined];
  return { ok: mismatches === 0 && badTypes.length === 0, mismatches, maxAbsDiff, types: result.types.join('/'), note: notes.filter(Boolean).join('; ') };
}

const rowsOut = [];
let failed = configErrors.length > 0;
for (const e of configErrors) console.error(`config: ${e}`);

const checked = [...features, ...alsoChecked];
const passes = [
  { python: FULL_PYTHON, features: checked },
  { python: STDLIB_PYTHON, features: checked.filter((f) => f.kind === 'row') },
];
const interpreters = [];
for (const pass of passes) {
  let out;
  try {
    out = runPython(pass.python, pass.features);
  } catch (err) {
    console.error(err.message);
    failed = true;
    continue;
  }
  interpreters.push(`${pass.python} → ${out.python} ${out.version}`);
  for (const f of pass.features) {
    const r = compare(f, out.features[f.name]);
    if (!r.ok) failed = true;
    rowsOut.push({ feature: f.name, column: `${f.column} (${columnTypes[f.column] ?? 'missing'})`, source: `${f.source} [${f.kind}]`, python: out.version, ...r });
  }
}

console.log(`${inputs.length} rows of ${relative(process.cwd(), resolve(EXAMPLE, snapshot.path)) || snapshot.path}; input columns: ${inputColumns.join(', ')}`);
for (const line of interpreters) console.log(`python: ${line}`);
const header = ['feature', 'column', 'source [kind]', 'python', 'output types', 'mismatches', 'max |diff|', 'result'];
const cells = rowsOut.map((r) => [r.feature, r.column, r.source, r.python, r.types ?? '-', String(r.mismatches ?? '-'), r.maxAbsDiff === undefined ? '-' : String(r.maxAbsDiff), r.ok ? 'ok' : `FAIL ${r.note}`]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
const line = (c) => c.map((s, i) => (i === c.length - 1 ? s : s.padEnd(widths[i]))).join('  ');
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const c of cells) console.log(line(c));
console.log(failed ? 'FAILED' : `all ${features.length} features (and ${alsoChecked.length} other form) reproduce their stored columns exactly`);
process.exitCode = failed ? 1 : 0;
