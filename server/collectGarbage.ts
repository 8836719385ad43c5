/**
 * Garbage collection at the moments a data check says it may (`DataOptions.collect`). A waiting
 * process allocates nothing, so V8 collects nothing: after a snapshot read (a million-row check
 * decodes hundreds of megabytes of pages and cells, about 100 MB of it garbage in the benchmark's
 * first save) the garbage stood beside what the check built next for the seconds it waited for
 * its workers — the server's peak. After the read, a full collection (tens of milliseconds in a
 * check of seconds). After each feature, whose values (a million numbers, their copies on the
 * way in and out of workers and the cache) are then garbage, one only when the process has grown
 * by `SLACK_BYTES` since the last: a 200-feature check or warm-up churns ~35 MB per feature, and
 * a collection per feature would cost more than the memory is worth. Before a feature's statistics
 * (`values`), once the process has grown by half that: the workers' replies (their bytes and the
 * decoded copies, ~40 MB for two sides of a million rows) are garbage by then, and the statistics
 * (sorted copies, row lists: ~30 MB more) would otherwise stack on top of them — the benchmark's
 * peak moved there once the read's garbage was collected.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Growth of the resident set since the last collection that makes a feature's end collect. */
export const SLACK_BYTES = 48 * 1024 * 1024;

let gc: (() => void) | undefined;
/** The resident set right after the last collection. */
let settled = 0;

/** Makes `collectGarbage` work in this process (V8 exposes `gc` to contexts made after the flag). */
export function enableCollectGarbage(): void {
  setFlagsFromString('--expose-gc');
  gc = runInNewContext('gc') as () => void;
}

/**
 * After a read (the inputs, or the stored columns read later): collects now. After a feature:
 * collects when the process grew by `SLACK_BYTES` since the last collection; before a feature's
 * statistics, by half of it. Nothing when `enableCollectGarbage` did not run.
 */
export function collectGarbage(after: 'read' | 'stored' | 'values' | 'feature' = 'read'): void {
  if (!gc) return;
  if (after === 'feature' && process.memoryUsage.rss() < settled + SLACK_BYTES) return;
  if (after === 'values' && process.memoryUsage.rss() < settled + SLACK_BYTES / 2) return;
  gc();
  settled = process.memoryUsage.rss();
}
