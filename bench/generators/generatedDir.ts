// What both workspace generators do around the files they write: clear a folder they generated
// before (and refuse any other), and commit with a fixed date so the same seed gives the same commit.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';

const GIT_DATE = '2024-01-01T00:00:00Z';

/**
 * Empties `dir` for a new workspace. A non-empty folder is wiped only when `looksGenerated(entries)`
 * says a generator wrote it; otherwise this throws, naming `what` it expected.
 */
export function prepareGeneratedDir(dir: string, looksGenerated: (entries: string[]) => boolean, what: string): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    return;
  }
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  if (!looksGenerated(entries)) throw new Error(`${dir} is not empty and is not ${what}: refusing to overwrite it`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/** Runs git in a generated workspace, with fixed author and committer dates and no system config. */
export function gitIn(dir: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_DATE: GIT_DATE, GIT_COMMITTER_DATE: GIT_DATE, GIT_CONFIG_NOSYSTEM: '1' },
    maxBuffer: 1 << 26,
  });
}
