/**
 * Wall time per phase of a run, for the report's `summary.timings` (phase name → ms). `lap(name)`
 * charges the time since the previous lap (or the clock's start) to `name`; a phase lapped twice
 * adds up.
 */
export class PhaseClock {
  readonly ms: Record<string, number> = {};
  private last = performance.now();

  lap(name: string): void {
    const now = performance.now();
    this.ms[name] = (this.ms[name] ?? 0) + (now - this.last);
    this.last = now;
  }

  /** Moves `ms` of a phase already lapped to another one (a part measured inside it). */
  move(from: string, to: string, ms: number): void {
    if (ms <= 0 || this.ms[from] === undefined) return;
    const moved = Math.min(ms, this.ms[from]);
    this.ms[from] -= moved;
    this.ms[to] = (this.ms[to] ?? 0) + moved;
  }

  rounded(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.ms).map(([k, v]) => [k, Math.round(v)]));
  }
}

/**
 * Milliseconds this process has spent loading parsers (the TypeScript compiler, tree-sitter), so a
 * run can tell that fixed cost apart from parsing itself.
 */
export const parserLoad = { ms: 0 };
