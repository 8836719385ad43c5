/**
 * The "acknowledge the change" quick fix: adds `acknowledged.NAME` to the config with a reason to
 * fill in. The feature keeps its findings, at `info` (SPEC §5). Comments and formatting of the
 * config are kept: the edit is computed by jsonc-parser's `modify`.
 */
import { modify } from 'jsonc-parser';
import { positionAt, type TextEdit } from './textEdit';

export const ACKNOWLEDGE_PLACEHOLDER = 'TODO: why this change is safe (backfill ticket, new model version, …)';

export function acknowledgeFeature(configPath: string, configText: string, feature: string, reason = ACKNOWLEDGE_PLACEHOLDER): TextEdit[] {
  return jsonEdits(configPath, configText, ['acknowledged', feature], reason);
}

/** Edits that set `path` to `value` in a JSONC document. */
export function jsonEdits(file: string, text: string, path: (string | number)[], value: unknown): TextEdit[] {
  const indent = /\n( +)"/.exec(text)?.[1].length ?? 2;
  return modify(text, path, value, { formattingOptions: { insertSpaces: true, tabSize: indent, eol: '\n' } }).map((e) => ({
    file,
    start: positionAt(text, e.offset),
    end: positionAt(text, e.offset + e.length),
    newText: e.content,
  }));
}
