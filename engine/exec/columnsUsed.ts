/**
 * Which snapshot columns a feature bundle can read, so that workers build rows of those columns
 * only. A wide feature store (dozens of stored feature columns beside the inputs) otherwise costs
 * most of a check in building and collecting row properties no code looks at.
 *
 * A column is kept when its name occurs in the code as a word (`row.age`, `row['age']`,
 * `{ age }`). Code that enumerates or copies whole rows — `Object.keys`, `for…in`, object spread,
 * `JSON.stringify` — gets every column, since it can observe them all. A key computed at run time
 * from pieces (`row['tenure_' + unit]`) is the one case this cannot see.
 */

const ENUMERATES = /\bObject\s*\.\s*(keys|values|entries|assign|getOwnPropertyNames|getOwnPropertyDescriptors|fromEntries)\b|\bfor\s*\(\s*(const|let|var)?\s*[\w$]+\s+in\b|\{\s*\.\.\.|,\s*\.\.\.[\w$]+\s*[,}]|\bJSON\s*\.\s*stringify\b|\bstructuredClone\b|\bReflect\s*\./;

/** The subset of `columns` the code can read, or undefined when it can read them all. */
export function columnsUsed(source: string, columns: readonly string[]): Set<string> | undefined {
  // A column named in a comment ("Feature `age_norm`, materialized in …") is not read.
  const code = withoutComments(source);
  if (ENUMERATES.test(code)) return undefined;
  const words = new Set(code.match(/[\p{L}\p{N}_$]+/gu) ?? []);
  const used = new Set<string>();
  for (const c of columns) {
    // Names that are not single words (spaces, dashes) are looked for as they are written.
    if (/^[\p{L}\p{N}_$]+$/u.test(c) ? words.has(c) : code.includes(c)) used.add(c);
  }
  return used;
}

/**
 * The code with its comments blanked, strings and template literals kept. Regular expression
 * literals are not recognized; a `//` inside one only blanks the rest of its line, which can
 * hide a column name (fewer columns), never invent one.
 */
export function withoutComments(code: string): string {
  let out = '';
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    const next = code[i + 1];
    if (c === '/' && next === '/') {
      const end = code.indexOf('\n', i);
      i = end < 0 ? code.length : end;
    } else if (c === '/' && next === '*') {
      const end = code.indexOf('*/', i + 2);
      i = end < 0 ? code.length : end + 2;
      out += ' ';
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < code.length && code[j] !== c) j += code[j] === '\\' ? 2 : 1;
      out += code.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
