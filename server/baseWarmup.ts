/**
 * The folder's background warm-up of base values (HEAD's values of every feature, kept in the
 * results cache so the next check runs only the edited side; see `engine/session/warmBase.ts`).
 *
 * Low priority by construction: it starts only when nothing edit-driven is in flight or scheduled
 * and the folder has been quiet for `WARM_DELAY_MS`; it runs a few features at a time in one
 * worker; and any edit-driven work (a keystroke, a save, a refresh, a command) `interrupt`s it at
 * once — its worker is killed — and `schedule`s it again for after. A resumed warm-up skips what is
 * warmed already. It runs workspace code, so only when the folder may (`mayWarm`: trusted, data
 * checks not manual, the setting on, no standing user error).
 */
import { CancelledError, UserError, type CancellationToken } from '../engine/errors';
import { maxCacheBytes } from '../engine/cache/resultsCache';
import type { WarmProgress } from '../engine/session/warmBase';
import type { WorkspaceSession } from '../engine/session/workspaceSession';

/** Quiet time after edit-driven work before the warm-up starts or resumes. */
export const WARM_DELAY_MS = 1000;

export interface WarmupHost {
  readonly name: string;
  readonly session: WorkspaceSession;
  /** Why the warm-up may not run now (untrusted, switched off, …); undefined when it may. */
  whyNotWarm(): string | undefined;
  /** Whether edit-driven work is in flight or scheduled. */
  busy(): boolean;
}

export interface WarmupHooks {
  /** The warm-up has work and got this far; undefined: it finished (or failed) and the folder is idle again. */
  progress(p: WarmProgress | undefined): void;
  log(message: string): void;
}

class Cancellation implements CancellationToken {
  isCancellationRequested = false;
}

export class BaseWarmup {
  private timer?: NodeJS.Timeout;
  private running?: Cancellation;
  private disposed = false;
  /** The reason last logged for not warming, so each is said once. */
  private saidWhyNot?: string;
  /** A warm-up that failed is not tried again until git state or settings are read again (`reset`). */
  private failed = false;

  constructor(
    private readonly host: WarmupHost,
    private readonly hooks: WarmupHooks,
  ) {}

  /** Edit-driven work starts: a warm-up in flight stops at once, a scheduled one waits. */
  interrupt(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running) this.running.isCancellationRequested = true;
    this.running = undefined;
  }

  /** Git state or settings were read again (a save, a commit, a checkout): a failed warm-up may be tried again. */
  reset(): void {
    this.failed = false;
  }

  /** Edit-driven work ended: the warm-up starts (or resumes) after a quiet `WARM_DELAY_MS`. */
  schedule(): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.start();
    }, WARM_DELAY_MS);
  }

  dispose(): void {
    this.disposed = true;
    this.interrupt();
  }

  private async start(): Promise<void> {
    if (this.disposed || this.running || this.failed) return;
    const why = this.host.whyNotWarm();
    if (why) {
      if (why !== this.saidWhyNot) this.hooks.log(`${this.host.name}: base values are not warmed: ${why}`);
      this.saidWhyNot = why;
      return;
    }
    this.saidWhyNot = undefined;
    if (this.host.busy()) return this.schedule();
    const token = new Cancellation();
    this.running = token;
    const started = performance.now();
    const head = this.host.session.headCommit?.slice(0, 7) ?? '(no commit)';
    let last: WarmProgress | undefined;
    try {
      const p = await this.host.session.warmBase(token, (p) => {
        if (token.isCancellationRequested) return;
        if (!last) this.hooks.log(`${this.host.name}: warming base values of HEAD ${head}: ${p.total - p.done} of ${p.total} feature(s) to go`);
        last = { ...p };
        this.hooks.progress(last);
      });
      if (token.isCancellationRequested || !last) return;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const over = p.overBound > 0 ? `; ${p.overBound} not warmed: the results cache holds ${Math.round(maxCacheBytes() / 2 ** 20)} MB (FEATUREGUARD_RESULTS_CACHE_MB raises it) and more would evict what was just warmed` : '';
      this.hooks.log(`${this.host.name}: base values of HEAD ${head} warmed: ${p.done}/${p.total} feature(s), ${p.computed} computed, ${p.cached} already cached (${seconds} s)${over}`);
      this.hooks.progress(undefined);
    } catch (err) {
      if (err instanceof CancelledError || token.isCancellationRequested) {
        if (last) this.hooks.log(`${this.host.name}: warming base values paused at ${last?.done ?? 0}/${last?.total ?? '?'}: edit-driven work goes first; it resumes after`);
        return;
      }
      this.failed = true;
      const message = err instanceof UserError ? err.message : ((err as Error)?.stack ?? String(err));
      this.hooks.log(`${this.host.name}: warming base values failed: ${message}`);
      if (last) this.hooks.progress(undefined);
    } finally {
      if (this.running === token) this.running = undefined;
    }
  }
}
