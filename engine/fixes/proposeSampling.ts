/**
 * The quick fix of `history.unreproduced` (SPEC §1): a sampling that keeps the neighbours the
 * feature's code reads, found statically in its source — the columns it groups by
 * (`groupby("customer_id")`, a comparison of `rows[j].customer_id` with `rows[i].customer_id`)
 * and sorts by (`sort_values("ts")`, `rolling(..., on="ts")`, `(a, b) => a.ts - b.ts`) — proposed
 * as `sampleBy`/`orderBy` on the feature's snapshot, written into the config with its comments kept.
 */
import { applyEdits, modify } from 'jsonc-parser';
import { positionAt, type TextEdit } from './textEdit';

export interface SamplingProposal {
  sampleBy?: string;
  orderBy: string[];
}

/** Names that read as a time or sequence column, for the order within an entity when the code names none. */
const TIME_LIKE = /^(ts|time|timestamp|date|datetime|event_time|event_ts|event_date|created|seq|sequence)$|_(at|ts|time|date|timestamp)$/i;

/** The columns the code groups and sorts by, in order of appearance. */
export function groupAndSortColumns(code: string): { group: string[]; sort: string[] } {
  const group: string[] = [];
  const sort: string[] = [];
  const add = (list: string[], names: string[]) => {
    for (const n of names) if (!list.includes(n)) list.push(n);
  };
  const quoted = (text: string) => [...text.matchAll(/["']([^"'\n]+)["']/g)].map((m) => m[1]);
  for (const m of code.matchAll(/\.groupby\(\s*(?:by\s*=\s*)?(\[[^\]]*\]|["'][^"'\n]+["'])/g)) add(group, quoted(m[1]));
  for (const m of code.matchAll(/\.sort_values\(\s*(?:by\s*=\s*)?(\[[^\]]*\]|["'][^"'\n]+["'])/g)) add(sort, quoted(m[1]));
  for (const m of code.matchAll(/\.rolling\([^)]*\bon\s*=\s*["']([^"'\n]+)["']/g)) add(sort, [m[1]]);
  // rows[j].customer_id === rows[i].customer_id, prev["customer_id"] != row["customer_id"]
  const access = String.raw`(\w+(?:\[[^\]\n]+\])?)(?:\.(\w+)|\[\s*["'](\w+)["']\s*\])`;
  for (const m of code.matchAll(new RegExp(`${access}\\s*(?:===|!==|==|!=)\\s*${access}`, 'g'))) {
    const left = m[2] ?? m[3];
    const right = m[5] ?? m[6];
    if (left === right && (m[1].includes('[') || m[4].includes('['))) add(group, [left]);
  }
  // .sort((a, b) => a.ts - b.ts)
  const typed = String.raw`(?:\s*:\s*[\w<>\[\]]+)?`;
  for (const m of code.matchAll(new RegExp(String.raw`\(\s*(\w+)${typed}\s*,\s*(\w+)${typed}\s*\)${typed}\s*=>\s*\1\.(\w+)\s*-\s*\2\.\3`, 'g'))) add(sort, [m[3]]);
  return { group, sort };
}

/**
 * `sampleBy`/`orderBy` for the snapshot with columns `fileColumns`, from the code's group and sort
 * columns (time-like column names when it sorts by none); undefined when the code shows neither.
 */
export function proposeSampling(code: string, fileColumns: readonly string[]): SamplingProposal | undefined {
  const known = new Set(fileColumns);
  const { group, sort } = groupAndSortColumns(code);
  const sampleBy = group.find((c) => known.has(c));
  let order = sort.filter((c) => known.has(c) && c !== sampleBy);
  if (order.length === 0 && sampleBy) order = fileColumns.filter((c) => TIME_LIKE.test(c) && c !== sampleBy).slice(0, 1);
  const orderBy = [...(sampleBy ? [sampleBy] : []), ...order];
  if (!sampleBy && order.length === 0) return undefined;
  return { ...(sampleBy ? { sampleBy } : {}), orderBy };
}

/** The config edit setting the proposal on snapshot `snapshot`: one edit, comments and formatting kept. */
export function samplingEdits(configPath: string, configText: string, snapshot: string, proposal: SamplingProposal): TextEdit[] {
  const indent = /\n( +)"/.exec(configText)?.[1].length ?? 2;
  const options = { formattingOptions: { insertSpaces: true, tabSize: indent, eol: '\n' } };
  let text = configText;
  text = applyEdits(text, modify(text, ['snapshots', snapshot, 'orderBy'], proposal.orderBy, options));
  if (proposal.sampleBy) text = applyEdits(text, modify(text, ['snapshots', snapshot, 'sampleBy'], proposal.sampleBy, options));
  if (text === configText) return [];
  // One edit over the span that changed.
  let start = 0;
  while (start < text.length && start < configText.length && text[start] === configText[start]) start++;
  let end = 0;
  while (end < text.length - start && end < configText.length - start && text[text.length - 1 - end] === configText[configText.length - 1 - end]) end++;
  return [{ file: configPath, start: positionAt(configText, start), end: positionAt(configText, configText.length - end), newText: text.slice(start, text.length - end) }];
}
