/**
 * Reads a sample of a CSV snapshot: a small RFC 4180 parser (quoted fields, doubled quotes,
 * newlines inside quotes, CRLF or LF line ends, a header row) plus per-column type inference.
 *
 * The file is handled as bytes, never as one big string, so files past V8's string limit (about
 * 512 MB) still open, up to Node's 2 GiB `readFile` limit. A first pass finds where each record starts (quote-aware, no allocation per field);
 * only the sampled records are then split into fields and decoded.
 *
 * Types are inferred from the sampled values, which are all that the checks ever see: a column is
 * `integer` when every non-empty value is an integer, `number` when every one is numeric (NaN and
 * Infinity literals included), `boolean` for true/false, `date` when every one is an ISO date or
 * date-time, and otherwise `string`, with the values kept as text. An empty field is `null`.
 */
import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { columnarTable, finishColumn, newColumn } from './cellValue';
import { snapshotHasNoColumns, unreadableSnapshot, wrapReadError } from './readErrors';
import { sampleIndices } from './sample';
import type { CellValue, ColumnInfo, ColumnType, ReadOptions, SnapshotTable } from './table';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** One field as parsed: its text, or null when it is empty. */
type RawField = string | null;

/**
 * Reads the rows of `absPath` chosen by `options.sampleRows`/`options.seed`, restricted to
 * `options.columns` when given. Errors name `displayPath`.
 */
export async function readCsv(absPath: string, options: ReadOptions, displayPath: string = absPath): Promise<SnapshotTable> {
  try {
    const bytes = await readFile(absPath);
    const fail = (reason: string) => unreadableSnapshot(displayPath, 'CSV', reason);
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
      throw fail('it is encoded as UTF-16; save it as UTF-8');
    }
    const binary = binaryContent(bytes);
    if (binary) throw fail(binary);
    if (!isUtf8(bytes)) throw fail(notUtf8(bytes));
    const bodyStart = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    const records = findRecordStarts(bytes, bodyStart);
    if (records.unclosedQuoteLine !== undefined) {
      throw fail(`a quoted field opened on line ${records.unclosedQuoteLine} is never closed`);
    }
    if (records.count === 0) throw snapshotHasNoColumns(displayPath);

    const header: RawField[] = [];
    parseRecord(bytes, records.starts[0], header);
    const names = columnNames(header);
    if (names.length === 0) throw snapshotHasNoColumns(displayPath);

    const wanted = options.columns ? new Set(options.columns) : undefined;
    const selected: number[] = [];
    names.forEach((name, index) => {
      if (!wanted || wanted.has(name)) selected.push(index);
    });

    const totalRows = records.count - 1;
    const rowIndices = options.rowIndices ?? sampleIndices(totalRows, options.sampleRows, options.seed);
    // Raw text of the sampled cells, column-major, for inference before conversion.
    const raw: RawField[][] = selected.map(() => new Array<RawField>(rowIndices.length));
    const fields: RawField[] = [];
    for (let s = 0; s < rowIndices.length; s++) {
      const count = parseRecord(bytes, records.starts[rowIndices[s] + 1], fields);
      if (count > names.length) {
        throw fail(`row ${rowIndices[s] + 1} has ${count} fields but the header has ${names.length}`);
      }
      for (let c = 0; c < selected.length; c++) {
        const index = selected[c];
        raw[c][s] = index < count ? fields[index] : null;
      }
    }

    const columns: ColumnInfo[] = selected.map((index, c) => ({ name: names[index], type: inferType(raw[c]) }));
    const values = columns.map((column, c) => {
      const convert = converterFor(column.type);
      const texts = raw[c];
      const out = newColumn(rowIndices.length, column.type);
      for (let s = 0; s < out.length; s++) {
        const text = texts[s];
        out[s] = text === null ? null : convert(text);
      }
      return finishColumn(out);
    });
    return columnarTable({ path: displayPath, totalRows, columns, fileColumns: names, values, rowIndices });
  } catch (err) {
    throw wrapReadError(displayPath, 'CSV', err);
  }
}

/**
 * Why a `.csv` file is not text at all, or undefined: another snapshot format under a .csv name,
 * a compressed file, or binary data (a NUL byte near the start, as git decides). Parsed as CSV,
 * such a file gives a misleading "row 3 has 5 fields" or a table of garbage.
 */
function binaryContent(bytes: Buffer): string | undefined {
  const head = bytes.toString('latin1', 0, Math.min(bytes.length, 6));
  if (head.startsWith('PAR1')) return 'it is a Parquet file; give it the .parquet extension';
  if (head === 'ARROW1' || (bytes.length >= 4 && bytes.readUInt32LE(0) === 0xffffffff)) return 'it is an Arrow IPC file; give it the .arrow extension';
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'it is gzip-compressed; decompress it first';
  const nul = bytes.subarray(0, 8000).indexOf(0);
  if (nul >= 0) return `it is a binary file, not CSV text (a NUL byte at offset ${nul})`;
  return undefined;
}

/**
 * The reason for a file that is not valid UTF-8, naming the line and the first bad byte. Decoding
 * it anyway would turn bytes such as Latin-1's "é" into U+FFFD, silently merging categories.
 */
function notUtf8(bytes: Buffer): string {
  const at = firstInvalidUtf8(bytes);
  if (at < 0) return 'it is not valid UTF-8; save it as UTF-8';
  let line = 1;
  for (let i = bytes.indexOf(LF); i >= 0 && i < at; i = bytes.indexOf(LF, i + 1)) line++;
  return `it is not valid UTF-8: line ${line} has the byte 0x${bytes[at].toString(16).toUpperCase().padStart(2, '0')} (Latin-1 or Windows-1252 text?); save it as UTF-8`;
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const extra = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (extra < 0) return i;
    for (let k = 1; k <= extra; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    const next = b[i + 1];
    if ((c === 0xe0 && next < 0xa0) || (c === 0xed && next > 0x9f) || (c === 0xf0 && next < 0x90) || (c === 0xf4 && next > 0x8f)) return i;
    i += extra + 1;
  }
  return -1;
}

/** Where each non-blank record starts, and the line of a quote never closed, if any. */
interface RecordStarts {
  starts: Float64Array;
  count: number;
  unclosedQuoteLine?: number;
}

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTED_QUOTE = 3;

/**
 * The first pass: records the byte offset of every non-blank record (blank lines are skipped, as
 * pandas does). A record with no quote character before its line feed, the common case, is found
 * with two native `indexOf` searches; only records that contain a quote go through the byte-wise
 * scanner in `quotedRecordEnd`.
 */
export function findRecordStarts(bytes: Uint8Array, from: number): RecordStarts {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = buffer.length;
  let starts = new Float64Array(1024);
  let count = 0;
  const push = (start: number, end: number) => {
    const blank = end === start || (end === start + 1 && buffer[start] === CR);
    if (blank) return;
    if (count === starts.length) {
      const bigger = new Float64Array(starts.length * 2);
      bigger.set(starts);
      starts = bigger;
    }
    starts[count++] = start;
  };
  let line = 1;
  let pos = from;
  let nextQuote = buffer.indexOf(QUOTE, pos);
  while (pos < n) {
    let lineFeed = buffer.indexOf(LF, pos);
    if (lineFeed < 0) lineFeed = n;
    if (nextQuote >= 0 && nextQuote < pos) nextQuote = buffer.indexOf(QUOTE, pos);
    if (nextQuote < 0 || nextQuote > lineFeed) {
      push(pos, lineFeed);
      pos = lineFeed + 1;
      line++;
      continue;
    }
    const scanned = quotedRecordEnd(buffer, pos);
    if (scanned.end < 0) return { starts, count, unclosedQuoteLine: line + scanned.quoteLineOffset };
    push(pos, scanned.end);
    pos = scanned.end + 1;
    line += scanned.lineFeeds + 1;
  }
  return { starts, count };
}

/**
 * Scans one record that contains a quote with a four-state machine (at a field start, in an
 * unquoted field, in a quoted field, just after a quote inside a quoted field) and returns the
 * offset of the line feed that ends it (or the file's end), with the line feeds met inside quoted
 * fields; `end` is -1 when a quoted field is never closed. A quote opens a quoted field only at a
 * field's start, as in RFC 4180, so `5" screen` stays literal.
 */
function quotedRecordEnd(bytes: Uint8Array, start: number): { end: number; lineFeeds: number; quoteLineOffset: number } {
  let state = FIELD_START;
  let lineFeeds = 0;
  let quoteLineOffset = 0;
  for (let i = start; i < bytes.length; i++) {
    const b = bytes[i];
    if (state === QUOTED) {
      if (b === QUOTE) state = QUOTED_QUOTE;
      else if (b === LF) lineFeeds++;
      continue;
    }
    if (b === LF) return { end: i, lineFeeds, quoteLineOffset };
    if (state === FIELD_START) {
      if (b === QUOTE) {
        state = QUOTED;
        quoteLineOffset = lineFeeds;
      } else if (b !== COMMA) {
        state = UNQUOTED;
      }
    } else if (state === QUOTED_QUOTE) {
      state = b === QUOTE ? QUOTED : b === COMMA ? FIELD_START : UNQUOTED;
    } else if (b === COMMA) {
      state = FIELD_START;
    }
  }
  if (state === QUOTED) return { end: -1, lineFeeds, quoteLineOffset };
  return { end: bytes.length, lineFeeds, quoteLineOffset };
}

/**
 * The second pass, for one record: splits the record starting at `start` into `out` (reused
 * between calls to avoid an array per row) and returns the number of fields. Empty fields, quoted
 * or not, are null. Text after a closing quote is kept literally rather than rejected.
 */
export function parseRecord(buffer: Buffer, start: number, out: RawField[]): number {
  const bytes = buffer;
  const n = bytes.length;
  let count = 0;
  let i = start;
  for (;;) {
    let text: string;
    let j: number;
    if (i < n && bytes[i] === QUOTE) {
      let close = i + 1;
      let escaped = false;
      for (;;) {
        close = buffer.indexOf(QUOTE, close);
        if (close < 0) close = n; // Unreachable after findRecordStarts; read to the end.
        if (close + 1 < n && bytes[close + 1] === QUOTE) {
          escaped = true;
          close += 2;
          continue;
        }
        break;
      }
      text = buffer.toString('utf8', i + 1, Math.min(close, n));
      if (escaped) text = text.replaceAll('""', '"');
      j = Math.min(close + 1, n);
      const tailStart = j;
      while (j < n && bytes[j] !== COMMA && bytes[j] !== LF) j++;
      const tailEnd = trimCr(bytes, tailStart, j);
      if (tailEnd > tailStart) text += buffer.toString('utf8', tailStart, tailEnd);
    } else {
      j = i;
      while (j < n && bytes[j] !== COMMA && bytes[j] !== LF) j++;
      const end = trimCr(bytes, i, j);
      text = end > i ? buffer.toString('utf8', i, end) : '';
    }
    out[count++] = text.length === 0 ? null : text;
    if (j < n && bytes[j] === COMMA) {
      i = j + 1;
      continue;
    }
    return count;
  }
}

/** The end of a field that stops at `j`, leaving out the CR of a CRLF (or of a final CR). */
function trimCr(bytes: Uint8Array, start: number, j: number): number {
  return j > start && bytes[j - 1] === CR && (j === bytes.length || bytes[j] === LF) ? j - 1 : j;
}

/**
 * Column names from the header row. As in pandas, an empty name becomes `Unnamed: <index>` (the
 * index column of `DataFrame.to_csv` has one) and a repeated name gets a `.1`, `.2`... suffix, so
 * that every column is a distinct property of the row objects.
 */
function columnNames(header: RawField[]): string[] {
  const seen = new Set<string>();
  return header.map((field, index) => {
    const base = field ?? `Unnamed: ${index}`;
    let name = base;
    for (let k = 1; seen.has(name); k++) name = `${base}.${k}`;
    seen.add(name);
    return name;
  });
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;
const BOOLEAN = /^(?:true|false)$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** The narrowest type that every non-empty value fits; `unknown` when all are empty. */
export function inferType(values: RawField[]): ColumnType {
  let integer = true;
  let number = true;
  let boolean = true;
  let date = true;
  let any = false;
  for (const value of values) {
    if (value === null) continue;
    any = true;
    const text = value.trim();
    if (integer && !INTEGER.test(text)) integer = false;
    if (number && !integer && !DECIMAL.test(text) && !NON_FINITE.test(text)) number = false;
    if (boolean && !BOOLEAN.test(text)) boolean = false;
    if (date && (!ISO_DATE.test(text) || Number.isNaN(parseIsoDate(text).getTime()))) date = false;
    if (!number && !boolean && !date) return 'string';
  }
  if (!any) return 'unknown';
  if (integer) return 'integer';
  if (number) return 'number';
  if (boolean) return 'boolean';
  if (date) return 'date';
  return 'string';
}

function converterFor(type: ColumnType): (text: string) => CellValue {
  switch (type) {
    case 'integer':
    case 'number':
      return parseNumber;
    case 'boolean':
      return (text) => text.trim().toLowerCase() === 'true';
    case 'date':
      return (text) => parseIsoDate(text.trim());
    default:
      return (text) => text;
  }
}

/** A number from its CSV text, including the NaN/inf spellings of pandas, numpy and JavaScript. */
function parseNumber(text: string): number {
  const t = text.trim();
  const value = Number(t);
  if (!Number.isNaN(value)) return value;
  const lower = t.toLowerCase();
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
  return NaN;
}

/**
 * Parses an ISO date or date-time as UTC when it has no zone, so that a snapshot means the same
 * instant on every machine (JavaScript would otherwise read a zoneless date-time as local time).
 */
function parseIsoDate(text: string): Date {
  let iso = text.length > 10 ? `${text.slice(0, 10)}T${text.slice(11)}` : text;
  if (iso.length > 10) {
    const zone = /(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(iso.slice(16));
    if (!zone) iso += 'Z';
    else if (zone[1] !== 'Z') {
      const digits = zone[1].replace(':', '');
      const normalized = `${digits.slice(0, 3)}:${digits.length > 3 ? digits.slice(3) : '00'}`;
      iso = iso.slice(0, iso.length - zone[1].length) + normalized;
    }
  }
  return new Date(iso);
}
