/**
 * Which snapshot columns Python feature code can read (SPEC §9): a column is kept when its name
 * occurs in the code as a word — `row["x"]`, `row.get("x")`, `df["x"]`, `df.x`, `df[["x", "y"]]`,
 * a Hamilton parameter, a string constant — and code that enumerates or copies whole rows or
 * frames (`row.items()`, `**row`, `dict(row)`, `df.columns`, `df.iloc`, `df.to_dict()`) gets every
 * column, since it can observe them all.
 */

const ENUMERATES = /\.(items|keys|values|to_dict|to_numpy|to_records|itertuples|iterrows|select_dtypes|describe|filter)\s*\(|\.(columns|iloc|dtypes|T)\b|\*\*\s*[A-Za-z_]|\bdict\s*\(\s*[A-Za-z_][\w.]*\s*\)|\bvars\s*\(|\bfor\s+\w+\s+in\s+(row|record|r|df|frame|inputs)\s*:/;

/** The subset of `columns` the code can read, or undefined when it can read them all. */
export function pythonColumnsUsed(source: string, columns: readonly string[]): Set<string> | undefined {
  // A column named in a comment is not read (a `#` inside a string only hides the rest of a line:
  // fewer words, never invented ones; strings are kept, since `row["x"]` names x in one).
  const code = source.replace(/(^|[^'"\w])#[^\n]*/g, '$1');
  if (ENUMERATES.test(code)) return undefined;
  const words = new Set(code.match(/[\p{L}\p{N}_]+/gu) ?? []);
  const used = new Set<string>();
  for (const c of columns) if (/^[\p{L}\p{N}_]+$/u.test(c) ? words.has(c) : code.includes(c)) used.add(c);
  return used;
}
