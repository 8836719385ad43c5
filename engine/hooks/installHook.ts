/**
 * `featureguard install-hook`: writes the git pre-commit hook that runs `featureguard check
 * --staged` (SPEC §8). It respects `core.hooksPath`, never replaces an existing hook without
 * `force`, and says how to chain FeatureGuard into a hook it will not replace.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { UserError } from '../errors';
import type { GitRepo } from '../git/gitRepo';

export const HOOK_MARKER = '# Installed by `featureguard install-hook`';

export interface InstallHookOptions {
  force?: boolean;
  /** The node binary and the CLI script the hook runs when the repository has no local install. */
  node: string;
  cli: string;
}

export interface InstallHookResult {
  path: string;
  /** What happened, for the user. */
  message: string;
}

export async function installHook(repo: GitRepo, options: InstallHookOptions): Promise<InstallHookResult> {
  const hooksDir = (await repo.git.raw(['rev-parse', '--git-path', 'hooks'])).trim();
  const dir = isAbsolute(hooksDir) ? hooksDir : join(repo.root, hooksDir);
  const path = join(dir, 'pre-commit');
  const command = `${shellQuote(options.node)} ${shellQuote(options.cli)} check --staged`;
  if (existsSync(path)) {
    const existing = readFileSync(path, 'utf8');
    const ours = existing.includes(HOOK_MARKER);
    if (!ours && !options.force) {
      throw new UserError(`${path} already exists and is not FeatureGuard's; not replacing it. Rerun with --force to replace it, or chain FeatureGuard by adding this line to it: ${command} || exit 1`);
    }
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, hookScript(options.node, options.cli));
  chmodSync(path, 0o755);
  return { path, message: `wrote ${path}: commits now run "featureguard check --staged" and are refused on an error finding (bypass once with git commit --no-verify)` };
}

/** The hook: the repository's own FeatureGuard when installed there, else the one that wrote the hook. */
function hookScript(node: string, cli: string): string {
  return `#!/bin/sh
${HOOK_MARKER}: refuses a commit whose staged feature code
# breaks compatibility with the feature store. Bypass once with \`git commit --no-verify\`.
if [ -x ./node_modules/.bin/featureguard ]; then
  exec ./node_modules/.bin/featureguard check --staged
fi
exec ${shellQuote(node)} ${shellQuote(cli)} check --staged
`;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
