/**
 * Every conversion between the engine's terms and LSP's lives here: paths ↔ URIs, 1-based engine
 * positions ↔ 0-based LSP ranges, findings → diagnostics. Handlers convert in, call the engine,
 * convert out.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver';
import type { Finding, Location, Severity } from '../engine/findings';

export const SOURCE = 'featureguard';

/** Data attached to FeatureGuard diagnostics, read back by code actions. */
export interface DiagnosticData {
  folderUri: string;
  feature?: string;
}

export function uriToPath(uri: string): string | undefined {
  return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
}

export function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}

export function toSeverity(s: Severity): DiagnosticSeverity {
  return s === 'error' ? DiagnosticSeverity.Error : s === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information;
}

/**
 * The range of an engine location: the identifier that starts there when the line's text is known
 * (a feature function's name), otherwise the rest of the line.
 */
export function toRange(loc: Pick<Location, 'line' | 'column'>, lineText?: string): Range {
  const line = Math.max(0, loc.line - 1);
  const start = Math.max(0, loc.column - 1);
  let end = start + 1;
  if (lineText !== undefined) {
    const m = /^[\w$]+/.exec(lineText.slice(start));
    end = m ? start + m[0].length : Math.max(start + 1, lineText.length);
  }
  return { start: { line, character: start }, end: { line, character: end } };
}

/** The range of `length` characters at `offset` in `text` (LSP counts characters in UTF-16 units, as JavaScript does). */
export function offsetRange(text: string, offset: number, length: number): Range {
  const position = (o: number) => {
    const before = text.slice(0, o);
    const line = before.split('\n').length - 1;
    return { line, character: o - (before.lastIndexOf('\n') + 1) };
  };
  return { start: position(offset), end: position(offset + length) };
}

export function toDiagnostic(finding: Finding, range: Range, data: DiagnosticData): Diagnostic {
  return {
    range,
    severity: toSeverity(finding.severity),
    source: SOURCE,
    code: finding.check,
    message: finding.message,
    data,
  };
}

/** An information diagnostic that is not a check's finding (impact, untrusted workspace). */
export function infoDiagnostic(code: string, message: string, range: Range, data: DiagnosticData): Diagnostic {
  return { range, severity: DiagnosticSeverity.Information, source: SOURCE, code, message, data };
}
