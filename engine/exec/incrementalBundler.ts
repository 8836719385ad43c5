/**
 * esbuild contexts kept between a session's checks, one per side (`SourceTree.label`: HEAD, the
 * working tree): a rebuild reads every file through the plugin again but parses only those whose
 * contents changed, so the language server's save-check bundles a feature's closure in ~50-70 ms
 * instead of ~150 (500-module workspace, one feature). The entry and the side's files are what the
 * plugin reads during a build (`BuildInput`); rebuilds of one context run one at a time.
 *
 * A context keeps esbuild's service, and so the process, alive: `dispose` ends them (the session's
 * `dispose`), and so does an idle time without builds, so that a session nobody disposed cannot
 * keep a process running for good.
 */
import type * as esbuild from 'esbuild';
import { esbuildApi } from './esbuildRuntime';

/** Contexts not used for this long are disposed (the next build makes a new one). */
const IDLE_MS = 5 * 60_000;

interface Side<Input> {
  context: Promise<esbuild.BuildContext>;
  /** What the context's plugin reads during the build in progress. */
  input?: Input;
  /** The end of the last build asked for: builds run one after another. */
  queue: Promise<unknown>;
  timer?: NodeJS.Timeout;
}

export class IncrementalBundler<Input = unknown> {
  private readonly sides = new Map<string, Side<Input>>();

  /**
   * Builds with the context of `side`, made on first use from `options(read)`, where `read()`
   * gives the input of the build in progress (`input` here). Fails as `esbuild.build` does.
   */
  build(side: string, input: Input, options: (read: () => Input) => esbuild.BuildOptions): Promise<esbuild.BuildResult> {
    let s = this.sides.get(side);
    if (!s) {
      const made = { queue: Promise.resolve() } as Side<Input>;
      made.context = esbuildApi().context(options(() => made.input as Input));
      made.context.catch(() => this.sides.get(side) === made && this.sides.delete(side));
      this.sides.set(side, (s = made));
    }
    const current = s;
    clearTimeout(current.timer);
    const result = current.queue.then(async () => {
      current.input = input;
      try {
        return await (await current.context).rebuild();
      } catch (err) {
        // Not the code's errors (esbuild's service stopped, the context disposed): a new context next time.
        if (!(err as { errors?: unknown[] }).errors?.length) this.drop(side, current);
        throw err;
      } finally {
        current.input = undefined;
      }
    });
    current.queue = result.catch(() => undefined);
    current.queue.then(() => {
      if (this.sides.get(side) !== current) return;
      clearTimeout(current.timer);
      current.timer = setTimeout(() => this.drop(side, current), IDLE_MS);
      current.timer.unref();
    });
    return result;
  }

  /** Disposes every context. */
  dispose(): void {
    for (const [side, s] of [...this.sides]) this.drop(side, s);
  }

  private drop(side: string, s: Side<Input>): void {
    clearTimeout(s.timer);
    if (this.sides.get(side) === s) this.sides.delete(side);
    // After the builds already asked for.
    void s.queue.then(() => s.context).then((c) => c.dispose(), () => undefined);
  }
}
