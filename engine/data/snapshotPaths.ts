/**
 * What a snapshot path says by its text alone — a glob, which format its extension reads as — for
 * the config's validation, apart from the readers so that loading the config loads no reader.
 */
import { extname } from 'node:path';
import type { SnapshotFormat } from './readErrors';

const GLOB_CHARS = /[*?[{]/;

/** True when a snapshot path is a glob (`*`, `?`, `[…]`, `{a,b}`). */
export function isGlob(path: string): boolean {
  return GLOB_CHARS.test(path);
}

/**
 * Splits a glob into the folder before its first wildcard segment and the pattern below it:
 * `data/customers/**\/*.parquet` → `data/customers`, `**\/*.parquet`.
 */
export function splitGlob(path: string): { root: string; pattern: string } {
  const segments = path.split('/');
  const i = segments.findIndex((s) => GLOB_CHARS.test(s));
  return { root: segments.slice(0, i).join('/'), pattern: segments.slice(i).join('/') };
}

/** The snapshot formats by file extension (lowercase, with the dot). */
export const FORMAT_OF_EXTENSION: Readonly<Record<string, SnapshotFormat>> = Object.freeze({
  '.parquet': 'Parquet',
  '.arrow': 'Arrow IPC',
  '.feather': 'Arrow IPC',
  '.ipc': 'Arrow IPC',
  '.csv': 'CSV',
});

/** The format a snapshot path will be read as, from its extension; undefined when unsupported. */
export function snapshotFormatOf(path: string): SnapshotFormat | undefined {
  return FORMAT_OF_EXTENSION[extname(path).toLowerCase()];
}
