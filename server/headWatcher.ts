/**
 * Notices HEAD moving — a commit, a checkout, a reset, a pull — whether or not the editor reports
 * it: a commit writes the branch's ref, not `.git/HEAD` (the file the VS Code client watches), and
 * other editors watch nothing. Watches the git directory for `HEAD`, and the common directory for
 * `packed-refs` and, recursively, `refs/heads`; after a burst of changes there it asks git for
 * HEAD's commit and calls `onMove` when that differs from the commit the folder last read
 * (`known`), so a move the editor reported too is not acted on twice. Reads only.
 */
import { execFile } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { join, resolve } from 'node:path';

/** Git writes a ref through a lock file and a rename: the burst is over well within this. */
const SETTLE_MS = 150;

export function watchHead(root: string, known: () => string | null, onMove: () => void, log: (message: string) => void): () => void {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const settle = () => {
    clearTimeout(timer);
    timer = setTimeout(check, SETTLE_MS);
  };
  const check = () => {
    if (closed) return;
    execFile('git', ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: root }, (_err, stdout) => {
      // No commits yet: null, as `resolveCommit` says.
      const head = String(stdout ?? '').trim() || null;
      if (!closed && head !== known()) onMove();
    });
  };
  execFile('git', ['rev-parse', '--absolute-git-dir', '--git-common-dir'], { cwd: root }, (err, stdout) => {
    if (closed || err) return;
    const [gitDir, common] = String(stdout).split('\n');
    const commonDir = resolve(root, common);
    const add = (dir: string, recursive: boolean, relevant: (file: string) => boolean) => {
      try {
        const w = watch(dir, { recursive, persistent: false }, (_event, file) => {
          if (!file || relevant(String(file))) settle();
        });
        w.on('error', () => w.close());
        watchers.push(w);
      } catch (e) {
        // No such folder yet (`refs/heads` before the first commit), or no watcher left: the
        // editor's own file watcher still reports checkouts.
        log(`not watching ${dir} for HEAD moves: ${(e as Error).message}`);
      }
    };
    if (commonDir === gitDir) add(gitDir, false, (f) => f === 'HEAD' || f === 'packed-refs');
    else {
      add(gitDir, false, (f) => f === 'HEAD');
      add(commonDir, false, (f) => f === 'packed-refs');
    }
    add(join(commonDir, 'refs', 'heads'), true, (f) => !f.endsWith('.lock'));
  });
  return () => {
    closed = true;
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
