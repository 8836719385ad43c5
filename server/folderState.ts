/**
 * One workspace folder with a FeatureGuard config: its engine session, its settings, the latest
 * result, and the scheduling of runs. A keystroke cancels the data check in flight, starts static
 * impact at once (coalesced: while one impact run is in flight, edits only mark it stale, and one
 * more run follows it) and, with `onType`, schedules a data check after a pause; a save refreshes
 * git state and checks. Results are published only while they are the newest. A step that fails
 * with a `UserError` (a config the engine cannot use, no usable Python) leaves it standing, shown on
 * the config, until that step next succeeds. Every edit-driven step stops the background warm-up
 * of base values (`BaseWarmup`) at once and lets it resume after; a HEAD move (`watchHead`) is read
 * like a save.
 *
 * Impact is not debounced: an incremental impact run costs the edited modules and the symbols that
 * reach them, not the workspace (~14 ms of server CPU per keystroke on the 2,000-module benchmark
 * workspace, diagnostics included), less than any debounce worth having, and a user sees the
 * squiggle move as they type.
 */
import type { CancellationToken } from '../engine/errors';
import { CancelledError, UserError } from '../engine/errors';
import type { WarmProgress } from '../engine/session/warmBase';
import type { SessionResult, WorkspaceSession } from '../engine/session/workspaceSession';
import type { FeatureGuardSettings } from '../shared/settings';
import { BaseWarmup } from './baseWarmup';
import { watchHead } from './headWatcher';

export interface FolderHooks {
  /** Publishes `folder.latest` (impact-only when `folder.pending`) and `folder.userErrors`. */
  publish(folder: FolderState): void;
  /** Reports progress of a data check; returns a function that ends it. */
  beginProgress(folder: FolderState): () => void;
  log(message: string): void;
  /** A step failed; a `UserError` is in `folder.userErrors` already. */
  onError(folder: FolderState, err: unknown): void;
  /** The background warm-up of base values got this far; undefined: it ended, the folder is idle. */
  warming(folder: FolderState, progress: WarmProgress | undefined): void;
}

/** The steps of a run that can fail: re-reading git state and the config, static impact, data checks. */
export type Step = 'refresh' | 'impact' | 'check';

class Cancellation implements CancellationToken {
  isCancellationRequested = false;
}

export class FolderState {
  latest?: SessionResult;
  /** True when the latest result includes data checks for the current edit generation. */
  checked = false;
  /** True when the latest result is impact only and a data check follows it. */
  pending = false;
  /**
   * The user errors (a config the engine cannot use, no usable Python interpreter, …) by the step
   * that threw them. Each stands until its step next succeeds; a data check includes impact, so
   * its success clears both.
   */
  readonly userErrors = new Map<Step, UserError>();
  private generation = 0;
  /** An impact run is in flight (or about to start); `impactStale` asks for one more after it. */
  private impactBusy = false;
  private impactStale = false;
  private disposed = false;
  private checkTimer?: NodeJS.Timeout;
  private running?: Cancellation;
  /** HEAD's values computed in the background while nothing edit-driven runs (see `BaseWarmup`). */
  private readonly warmup: BaseWarmup;
  private stopWatchingHead?: () => void;

  constructor(
    readonly uri: string,
    /** The workspace folder's name, for the log. */
    readonly name: string,
    readonly session: WorkspaceSession,
    public settings: FeatureGuardSettings,
    public trusted: boolean,
    private readonly hooks: FolderHooks,
  ) {
    this.warmup = new BaseWarmup(
      { name, session, whyNotWarm: () => this.whyNotWarm(), busy: () => this.impactBusy || !!this.running || !!this.checkTimer },
      { progress: (p) => hooks.warming(this, p), log: hooks.log },
    );
  }

  /**
   * Starts watching git for HEAD moves (a commit, a checkout: `watchHead`), each read like a save,
   * and the warm-up of base values that follows the folder's first run.
   */
  startWatchingHead(): void {
    this.stopWatchingHead ??= watchHead(this.session.root, () => this.session.headCommit, () => void this.saved(), this.hooks.log);
  }

  /** The interpreter last named in the log, so each change is said once. */
  private pythonLogged?: string;

  /** A buffer changed: impact now, data later per `runDataChecks`. */
  edited(): void {
    this.generation++;
    this.cancelRunning();
    this.warmup.interrupt();
    this.impactSoon();
    clearTimeout(this.checkTimer);
    this.checkTimer = this.settings.runDataChecks === 'onType' ? setTimeout(() => void this.runCheck(), this.settings.dataCheckDelayMs) : undefined;
  }

  /** A file was saved or something on disk changed: re-read git state, then check per settings. */
  async saved(): Promise<void> {
    if (!(await this.refreshed())) return;
    if (this.settings.runDataChecks === 'manual') {
      await this.runImpact();
      this.warmup.schedule(); // which only says why it does not run
    } else await this.runCheck();
  }

  /** Runs impact and data checks now (the "Run ML Checks" command), whatever the settings. */
  async checkNow(): Promise<SessionResult | undefined> {
    return (await this.refreshed()) ? this.runCheck() : undefined;
  }

  /** Stops scheduling, cancels the run in flight and ends the session's model worker. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.checkTimer);
    this.stopWatchingHead?.();
    this.warmup.dispose();
    this.cancelRunning();
    this.session.dispose();
  }

  /**
   * Runs impact for the newest edits. The run starts after the current turn of the event loop, so
   * the change notifications that arrived together (a paste, a multi-cursor edit) make one run; a
   * run that finds newer edits when it ends is followed by one more, never by one per keystroke.
   */
  private impactSoon(): void {
    this.impactStale = true;
    if (this.impactBusy) return;
    this.impactBusy = true;
    setImmediate(async () => {
      try {
        while (this.impactStale && !this.disposed) {
          this.impactStale = false;
          await this.runImpact();
        }
      } finally {
        this.impactBusy = false;
        this.warmup.schedule();
      }
    });
  }

  /** Starts a new generation on fresh git state; false (and reported) when it cannot be read. */
  private async refreshed(): Promise<boolean> {
    this.generation++;
    this.cancelRunning();
    this.warmup.interrupt();
    this.warmup.reset();
    try {
      await this.session.refresh();
      this.userErrors.delete('refresh');
      return true;
    } catch (err) {
      this.failed('refresh', err);
      return false;
    }
  }

  /** `dataComing`: false when no data check follows (one just failed): the status is then not "analyzing". */
  private async runImpact(dataComing = true): Promise<void> {
    const generation = this.generation;
    try {
      const result = await this.session.impact(new Cancellation());
      if (generation !== this.generation) return;
      this.latest = result;
      this.checked = false;
      this.pending = dataComing && this.settings.runDataChecks === 'onType' && this.trusted;
      this.userErrors.delete('impact');
      this.hooks.publish(this);
    } catch (err) {
      if (!(err instanceof CancelledError)) this.failed('impact', err);
    }
  }

  private async runCheck(): Promise<SessionResult | undefined> {
    clearTimeout(this.checkTimer);
    this.checkTimer = undefined;
    this.warmup.interrupt();
    const generation = this.generation;
    const token = new Cancellation();
    this.running = token;
    const endProgress = this.hooks.beginProgress(this);
    try {
      const result = await this.session.check(token, { execute: this.trusted });
      if (token.isCancellationRequested || generation !== this.generation) return undefined;
      this.latest = result;
      this.checked = true;
      this.pending = false;
      // Which Python ran the features goes to the output channel whenever it changes (SPEC §9).
      const python = result.report.summary.python;
      const ran = python && `${python.path} (${python.version})`;
      if (ran && ran !== this.pythonLogged) this.hooks.log(`${this.name}: Python features ran in ${ran}`);
      if (ran) this.pythonLogged = ran;
      this.userErrors.delete('impact');
      this.userErrors.delete('check');
      this.hooks.publish(this);
      return result;
    } catch (err) {
      if (!(err instanceof CancelledError)) this.failed('check', err);
      // Data checks that cannot run (an unreachable snapshot, no interpreter) leave the static
      // impact standing: a check that failed before any impact of this generation was shown shows it now.
      if (err instanceof UserError && generation === this.generation && !this.disposed) await this.runImpact(false);
      return undefined;
    } finally {
      endProgress();
      if (this.running === token) this.running = undefined;
      this.warmup.schedule();
    }
  }

  /** Why the warm-up of base values may not run now; undefined when it may. */
  private whyNotWarm(): string | undefined {
    if (this.disposed) return 'the folder is closed';
    if (!this.trusted) return 'restricted mode (the workspace is not trusted), no workspace code runs';
    if (!this.settings.warmBaseValues) return 'featureguard.warmBaseValues is off';
    if (this.settings.runDataChecks === 'manual') return 'data checks run only on command (featureguard.runDataChecks: manual)';
    if (this.userErrors.size > 0) return 'a problem stands (see the status)';
    return undefined;
  }

  /** Records a user error as standing for `step`; any failure is reported. */
  private failed(step: Step, err: unknown): void {
    if (err instanceof UserError) this.userErrors.set(step, err);
    this.hooks.onError(this, err);
  }

  private cancelRunning(): void {
    if (this.running) this.running.isCancellationRequested = true;
    this.running = undefined;
  }
}
