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
  const used = new Set<string>();
  for (const c of columns) {
    // Names that are not single words (spaces, dashes) are looked for as they are written.
    if (WORD.test(c) ? occursAsWord(code, c) : code.includes(c)) used.add(c);
  }
  return used;
}

const WORD = /^[\p{L}\p{N}_$]+$/u;
const WORD_CHAR = /^[\p{L}\p{N}_$]$/u;

/**
 * Whether `word` occurs in `code` as a whole word: the characters around it are not letters,
 * digits, `_` or `$` (what `[\p{L}\p{N}_$]+` would take as one word with it).
 */
function occursAsWord(code: string, word: string): boolean {
  for (let at = code.indexOf(word); at >= 0; at = code.indexOf(word, at + 1)) {
    if (!isWordCharBefore(code, at) && !isWordCharAt(code, at + word.length)) return true;
  }
  return false;
}

function isWordCharAt(code: string, i: number): boolean {
  if (i >= code.length) return false;
  const c = code.charCodeAt(i);
  if (c < 128) return isAsciiWordChar(c);
  return WORD_CHAR.test(String.fromCodePoint(code.codePointAt(i)!));
}

function isWordCharBefore(code: string, i: number): boolean {
  if (i <= 0) return false;
  const c = code.charCodeAt(i - 1);
  if (c < 128) return isAsciiWordChar(c);
  // A low surrogate ends a character that starts one position earlier.
  const start = c >= 0xdc00 && c <= 0xdfff && i >= 2 ? i - 2 : i - 1;
  return WORD_CHAR.test(String.fromCodePoint(code.codePointAt(start)!));
}

function isAsciiWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}

/**
 * The code with its comments blanked, strings and template literals kept. Regular expression
 * literals are not recognized; a `//` inside one only blanks the rest of its line, which can
 * hide a column name (fewer columns), never invent one.
 */
export function withoutComments(code: string): string {
  const parts: string[] = [];
  let i = 0; // everything before i is handled
  let from = 0; // start of the code not yet copied to parts
  const special = /[/"'`]/g;
  while (i < code.length) {
    special.lastIndex = i;
    const m = special.exec(code);
    if (!m) break;
    i = m.index;
    const c = code[i];
    const next = code[i + 1];
    if (c === '/' && next === '/') {
      parts.push(code.slice(from, i));
      const end = code.indexOf('\n', i);
      i = from = end < 0 ? code.length : end;
    } else if (c === '/' && next === '*') {
      parts.push(code.slice(from, i), ' ');
      const end = code.indexOf('*/', i + 2);
      i = from = end < 0 ? code.length : end + 2;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < code.length && code[j] !== c) j += code[j] === '\\' ? 2 : 1;
      i = j + 1;
    } else {
      i++;
    }
  }
  parts.push(code.slice(from));
  return parts.join('');
}
