/**
 * Which Python runs the workspace's Python features (SPEC §9 "Which interpreter"):
 * `python.interpreter` in the config, else `FEATUREGUARD_PYTHON`, else the editor's selection,
 * else the workspace's `.venv/bin/python` or `venv/bin/python`, else `python3` on PATH. It must be
 * 3.9 or newer, and have the modules the features' forms need (pandas for the vectorized ones:
 * found by `importlib.util.find_spec`, not imported).
 * Nothing is ever installed: a problem is one line naming the interpreter and what is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { Config, FeatureKind } from '../../config/configTypes';
import { UserError } from '../../errors';

export interface PythonInterpreter {
  /** Absolute path (or the command as found on PATH). */
  path: string;
  version: string;
  /** Where the choice came from, for messages. */
  from: string;
  /** Modules known to import, checked once each. */
  modules: Map<string, boolean>;
}

const probed = new Map<string, PythonInterpreter>();

/** Finds and checks the interpreter; throws a one-line `UserError` when there is none that works. */
export function findPython(config: Config, repoRoot: string, editorPython?: string, env: NodeJS.ProcessEnv = process.env): PythonInterpreter {
  const candidates: { path: string; from: string; explicit: boolean }[] = [];
  if (config.python.interpreter) candidates.push({ path: resolveCommand(config.python.interpreter, config.configDir), from: 'python.interpreter in featureguard.json', explicit: true });
  else if (env.FEATUREGUARD_PYTHON) candidates.push({ path: resolveCommand(env.FEATUREGUARD_PYTHON, process.cwd()), from: 'FEATUREGUARD_PYTHON', explicit: true });
  else if (editorPython) candidates.push({ path: editorPython, from: "the editor's Python extension", explicit: true });
  else {
    for (const venv of ['.venv/bin/python', 'venv/bin/python']) {
      const p = join(repoRoot, venv);
      if (existsSync(p)) candidates.push({ path: p, from: venv, explicit: true });
    }
    const onPath = which('python3', env);
    if (onPath) candidates.push({ path: onPath, from: 'python3 on PATH', explicit: false });
  }
  if (candidates.length === 0) throw new UserError('no Python interpreter found to run the Python features: set python.interpreter in featureguard.json or FEATUREGUARD_PYTHON, or put python3 on PATH');
  const chosen = candidates[0];
  const cached = probed.get(chosen.path);
  if (cached) return cached;
  const r = spawnSync(chosen.path, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8', timeout: 15000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : r.error.message : firstLine(r.stderr) || `exit code ${r.status}`;
    throw new UserError(`python interpreter ${chosen.path} (from ${chosen.from}) does not run: ${why}`);
  }
  const version = r.stdout.trim();
  const [major, minor] = version.split('.').map(Number);
  if (!(major > 3 || (major === 3 && minor >= 9))) throw new UserError(`python interpreter ${chosen.path} (from ${chosen.from}) is Python ${version || 'of an unknown version'}; FeatureGuard needs Python 3.9 or newer`);
  const interpreter: PythonInterpreter = { path: chosen.path, version, from: chosen.from, modules: new Map() };
  probed.set(chosen.path, interpreter);
  return interpreter;
}

/** The modules each form needs beyond the standard library. */
const NEEDS: Partial<Record<FeatureKind, string[]>> = { series: ['pandas'], frame: ['pandas'], feast: ['pandas'], hamilton: ['pandas'] };

/** Throws a one-line `UserError` naming the interpreter and the module when a feature's form needs a module it lacks. */
export function requireModules(python: PythonInterpreter, features: { name: string; kind?: FeatureKind }[]): void {
  for (const [kind, modules] of Object.entries(NEEDS) as [FeatureKind, string[]][]) {
    const users = features.filter((f) => f.kind === kind).map((f) => f.name);
    if (users.length === 0) continue;
    for (const module of modules) {
      let ok = python.modules.get(module);
      if (ok === undefined) {
        // Found, not imported: importing pandas costs a third of a second, which the workers pay
        // anyway. An installed module that fails to import fails the features that load it, with
        // Python's own message.
        const r = spawnSync(python.path, ['-c', `import importlib.util, sys; sys.exit(0 if importlib.util.find_spec(${JSON.stringify(module)}) else 1)`], { encoding: 'utf8', timeout: 30000 });
        ok = !r.error && r.status === 0;
        // Only a module that is found is remembered: one the user installs later is found then.
        if (ok) python.modules.set(module, ok);
      }
      if (!ok) throw new UserError(`python interpreter ${python.path} (${python.version}, from ${python.from}) has no module "${module}", which features of kind "${kind}" need (${users.join(', ')}): install it in that environment or set python.interpreter`);
    }
  }
}

function resolveCommand(command: string, base: string): string {
  return command.includes('/') && !isAbsolute(command) ? resolve(base, command) : command;
}

function which(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

function firstLine(s: string | undefined): string {
  return (s ?? '').trim().split('\n').pop()?.trim() ?? '';
}
