/** A text edit in the engine's terms: an absolute file path and 1-based line/column positions. */
export interface TextEdit {
  file: string;
  start: { line: number; column: number };
  end: { line: number; column: number };
  newText: string;
}

/** The 1-based line and column of an offset in `text`. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
