/**
 * The user-facing errors of the snapshot readers. Every problem with a snapshot file becomes one
 * `UserError` whose single-line message names the file as the user wrote it (the display path),
 * so front doors can show it as is; library errors are never let through raw.
 */
import { UserError } from '../errors';

/** The format names used in "is not a readable … file" messages. */
export type SnapshotFormat = 'Parquet' | 'Arrow IPC' | 'CSV';

/** The file does not exist. */
export function snapshotNotFound(displayPath: string, cause?: unknown): UserError {
  return new UserError(`snapshot file not found: ${displayPath}`, cause);
}

/** The file is not in the format its extension promises, or is truncated or corrupt. */
export function unreadableSnapshot(displayPath: string, format: SnapshotFormat, reason: unknown): UserError {
  return new UserError(`${displayPath} is not a readable ${format} file: ${reasonText(reason)}`, reason);
}

/** The file's schema has no columns at all. */
export function snapshotHasNoColumns(displayPath: string): UserError {
  return new UserError(`${displayPath} has no columns`);
}

/**
 * Wraps anything a reader threw: a `UserError` passes through unchanged, anything else (a library
 * or I/O error) becomes an "is not a readable … file" error for `format`.
 */
export function wrapReadError(displayPath: string, format: SnapshotFormat, err: unknown): UserError {
  if (err instanceof UserError) return err;
  const fsError = fileSystemError(displayPath, err);
  return fsError ?? unreadableSnapshot(displayPath, format, err);
}

/**
 * The message for a file-system error on the snapshot path (missing, a directory, no permission),
 * or undefined when `err` is not one. Parquet "files" written by Spark are often directories of
 * part files, hence the hint to name one file.
 */
export function fileSystemError(displayPath: string, err: unknown): UserError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return snapshotNotFound(displayPath, err);
    case 'EISDIR':
      return new UserError(`${displayPath} is a directory, not a snapshot file: point the snapshot path at one file`, err);
    case 'EACCES':
    case 'EPERM':
      return new UserError(`cannot read ${displayPath}: permission denied`, err);
    default:
      return undefined;
  }
}

/**
 * One line of reason text from a thrown value or a string. Messages are collapsed to one line and
 * capped so that a library dumping a buffer into its message cannot flood the user's terminal.
 */
export function reasonText(reason: unknown): string {
  let text: string;
  if (typeof reason === 'string') text = reason;
  else if (reason instanceof Error) text = reason.message || reason.name;
  else text = String(reason);
  text = text.replace(/\s+/g, ' ').trim();
  if (text.length === 0) text = 'unknown error';
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
