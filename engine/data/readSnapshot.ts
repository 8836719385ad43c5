/**
 * The one entry point for reading a feature-store snapshot: picks the reader from the file
 * extension (SPEC §1: .parquet, .arrow/.feather/.ipc, .csv), checks the things that go wrong
 * before any format is involved (a missing file, a directory, a Git LFS pointer checked out in
 * place of the data), and guarantees that every failure is a one-line `UserError` naming the file.
 */
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { UserError } from '../errors';
import { readCsv } from './csvReader';
import { readParquet } from './parquetReader';
import { parquetFileOrder, readParquetKeyColumn } from './parquetKeys';
import type { SamplingSource } from './samplingSource';
import { fileSystemError, reasonText, wrapReadError, type SnapshotFormat } from './readErrors';
import type { ReadOptions, SnapshotTable } from './table';
import { snapshotFormatOf } from './snapshotPaths';

type Reader = (absPath: string, options: ReadOptions, displayPath: string) => Promise<SnapshotTable>;

/** Apache Arrow's module takes ~10 ms to start: loaded by the first Arrow snapshot, not by every check. */
const readArrow: Reader = (absPath, options, displayPath) => (require('./arrowReader') as typeof import('./arrowReader')).readArrow(absPath, options, displayPath);

interface FormatEntry {
  format: SnapshotFormat;
  read: Reader;
}

const FORMATS: Readonly<Record<string, FormatEntry>> = Object.freeze({
  '.parquet': { format: 'Parquet', read: readParquet },
  '.arrow': { format: 'Arrow IPC', read: readArrow },
  '.feather': { format: 'Arrow IPC', read: readArrow },
  '.ipc': { format: 'Arrow IPC', read: readArrow },
  '.csv': { format: 'CSV', read: readCsv },
});

/** The file extensions `readSnapshot` accepts, lowercase with the dot. */
export const SNAPSHOT_EXTENSIONS: readonly string[] = Object.freeze(Object.keys(FORMATS));

export { snapshotFormatOf };

const LFS_POINTER_PREFIX = 'version https://git-lfs.github.com/spec/v1';

/**
 * Reads a deterministic sample of the snapshot at `absPath` (see `ReadOptions`). `displayPath`,
 * by default `absPath`, is how messages and the returned table name the file — normally the path
 * as written in featureguard.json. Throws only `UserError`s, with one-line messages.
 */
export async function readSnapshot(absPath: string, options: ReadOptions, displayPath: string = absPath): Promise<SnapshotTable> {
  const entry = FORMATS[extname(absPath).toLowerCase()];
  if (!entry) {
    const ext = extname(absPath);
    throw new UserError(
      `${displayPath}: unsupported snapshot format ${ext ? `"${ext}"` : '(no file extension)'}; use .parquet, .arrow, .feather, .ipc or .csv`,
    );
  }
  try {
    await checkFile(absPath, displayPath);
    return await entry.read(absPath, options, displayPath);
  } catch (err) {
    throw wrapReadError(displayPath, entry.format, err);
  }
}

/**
 * The faster ways into the file that keyed sampling uses, for the formats that have them (Parquet),
 * with the same checks and one-line errors as `readSnapshot`.
 */
export function samplingSourceOf(absPath: string, displayPath: string = absPath): SamplingSource | undefined {
  if (FORMATS[extname(absPath).toLowerCase()]?.format !== 'Parquet') return undefined;
  const guarded = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      await checkFile(absPath, displayPath);
      return await run();
    } catch (err) {
      throw wrapReadError(displayPath, 'Parquet', err);
    }
  };
  return {
    keyColumn: (column, each) => guarded(() => readParquetKeyColumn(absPath, column, displayPath, each)),
    fileOrder: (orderBy) => guarded(() => parquetFileOrder(absPath, orderBy, displayPath)),
  };
}

/**
 * Fails early, with a message that says what to do, when the path is missing, is a directory, or
 * holds a Git LFS pointer: a repository cloned without `git lfs` has small text files where the
 * snapshots should be, which every format reader would otherwise report as merely corrupt.
 */
async function checkFile(absPath: string, displayPath: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(absPath)).isDirectory();
  } catch (err) {
    throw fileSystemError(displayPath, err) ?? new UserError(`cannot read ${displayPath}: ${reasonText(err)}`, err);
  }
  if (isDirectory) throw fileSystemError(displayPath, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));

  const handle = await open(absPath, 'r');
  try {
    const head = Buffer.alloc(LFS_POINTER_PREFIX.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead === head.length && head.toString('latin1') === LFS_POINTER_PREFIX) {
      throw new UserError(`${displayPath} is a Git LFS pointer, not the snapshot data: run \`git lfs pull\` to download it`);
    }
  } finally {
    await handle.close();
  }
}
