/**
 * A full garbage collection on demand. The language server reads a snapshot (a million-row check
 * decodes hundreds of megabytes of pages and cells, most of it garbage once the columns are kept)
 * and then waits seconds for its workers; a waiting process allocates nothing, so V8 collects
 * nothing, and the read's garbage (about 100 MB of heap in the first million-row check of the
 * benchmark) stood beside what the check builds next: the server's peak. Collected once per
 * check, after the read (`DataOptions.afterRead`): tens of milliseconds in a check of seconds.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/** Makes `collectGarbage` work in this process (V8 exposes `gc` to contexts made after the flag). */
export function enableCollectGarbage(): void {
  setFlagsFromString('--expose-gc');
  gc = runInNewContext('gc') as () => void;
}

/** Collects garbage now when `enableCollectGarbage` ran; nothing otherwise. */
export function collectGarbage(): void {
  gc?.();
}
