/**
 * The server side of "FeatureGuard: Install Pre-commit Hook". The hook runs the CLI that ships
 * beside the server bundle (dist/cli.js) with the node that runs the server, unless the repository
 * has its own FeatureGuard install.
 */
import { join } from 'node:path';
import { openRepo } from '../engine/git/gitRepo';
import { installHook, type InstallHookResult } from '../engine/hooks/installHook';

export async function installHookIn(root: string, force: boolean): Promise<InstallHookResult> {
  return installHook(await openRepo(root), { force, node: process.execPath, cli: join(__dirname, 'cli.js') });
}
