/**
 * The Python interpreter selected in VS Code's Python extension (`ms-python.python`), per workspace
 * folder: SPEC §9 "Which interpreter" tries it after `python.interpreter` and `FEATUREGUARD_PYTHON`.
 * That extension is optional. When it is not installed, does not activate in time, rejects, or
 * offers an API of another shape, nothing is sent and the engine goes on to `.venv`, `venv` and
 * `python3` on PATH. Every call into it is therefore checked and caught here.
 */
import * as vscode from 'vscode';
import type { PythonInterpreterParams } from '../shared/protocol';

const PYTHON_EXTENSION_ID = 'ms-python.python';
/** How long activating the Python extension, or one of its answers, may take before we give up. */
const API_TIMEOUT_MS = 20000;

/**
 * Finds the selected interpreters and follows their changes. `initial` gives what is known within
 * a short wait, for `initializationOptions`; `listen` sends every later difference (including the
 * answers that came too late for `initial`) through `send`.
 */
export class EditorPython implements vscode.Disposable {
  private readonly api: Promise<PythonApi | undefined>;
  /** What the server has been told, per folder URI. */
  private readonly told = new Map<string, string | undefined>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Look-ups run one after another, so an older answer never overwrites a newer one. */
  private queue: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(private readonly log: (message: string) => void) {
    this.api = pythonApi(log);
  }

  /** The interpreter of each workspace folder that is known within `waitMs` (folder URI → path). */
  async initial(waitMs: number): Promise<Record<string, string>> {
    const found = await withTimeout(this.api.then((api) => (api ? interpretersByFolder(api) : new Map<string, string>())), waitMs).catch(() => undefined);
    const out: Record<string, string> = {};
    for (const [uri, path] of found ?? []) {
      this.told.set(uri, path);
      out[uri] = path;
    }
    return out;
  }

  /** Sends the interpreters that differ from what the server knows now and after each change. */
  listen(send: (params: PythonInterpreterParams) => void): void {
    void this.api.then((api) => {
      if (!api || this.disposed) return;
      const update = () => this.update(api, send);
      const onChange = api.environments?.onDidChangeActiveEnvironmentPath ?? api.settings?.onDidChangeExecutionDetails;
      try {
        if (typeof onChange === 'function') this.subscriptions.push(onChange(update));
      } catch (err) {
        this.log(`Python extension: cannot follow interpreter changes (${String(err)})`);
      }
      this.subscriptions.push(vscode.workspace.onDidChangeWorkspaceFolders(update));
      update();
    });
  }

  dispose(): void {
    this.disposed = true;
    for (const s of this.subscriptions.splice(0)) s?.dispose?.();
  }

  private update(api: PythonApi, send: (params: PythonInterpreterParams) => void): void {
    this.queue = this.queue
      .then(async () => {
        const now = await interpretersByFolder(api);
        if (this.disposed) return;
        for (const uri of new Set([...this.told.keys(), ...now.keys()])) {
          const path = now.get(uri);
          if (this.told.get(uri) === path) continue;
          this.told.set(uri, path);
          send({ folderUri: uri, path: path ?? null });
        }
      })
      .catch((err) => this.log(`Python extension: the selected interpreter could not be read (${String(err)})`));
  }
}

/**
 * The part of the Python extension's API read here. Its shape has changed across versions, so each
 * member is optional and checked before use: `environments` is the current API, `settings` the
 * older one.
 */
interface PythonApi {
  environments?: {
    getActiveEnvironmentPath?(resource?: vscode.Uri): unknown;
    resolveEnvironment?(environment: unknown): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
  settings?: {
    getExecutionDetails?(resource?: vscode.Uri): { execCommand?: string[] } | undefined;
    onDidChangeExecutionDetails?: vscode.Event<unknown>;
  };
}

/** The Python extension's API, activating the extension if it is installed and not active yet. */
async function pythonApi(log: (message: string) => void): Promise<PythonApi | undefined> {
  try {
    const extension = vscode.extensions.getExtension<unknown>(PYTHON_EXTENSION_ID);
    if (!extension) return undefined;
    const exports = extension.isActive ? extension.exports : await withTimeout(Promise.resolve(extension.activate()), API_TIMEOUT_MS);
    if (typeof exports !== 'object' || exports === null) return undefined;
    return exports as PythonApi;
  } catch (err) {
    log(`Python extension: not used for the interpreter (${(err as Error)?.message ?? String(err)})`);
    return undefined;
  }
}

/** The selected interpreter of each workspace folder that has one. */
async function interpretersByFolder(api: PythonApi): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const path = await interpreterOf(api, folder.uri).catch(() => undefined);
    if (path) out.set(folder.uri.toString(), path);
  }
  return out;
}

async function interpreterOf(api: PythonApi, folder: vscode.Uri): Promise<string | undefined> {
  const environments = api.environments;
  if (typeof environments?.getActiveEnvironmentPath === 'function' && typeof environments.resolveEnvironment === 'function') {
    const active = environments.getActiveEnvironmentPath(folder);
    const resolved = active ? await withTimeout(Promise.resolve(environments.resolveEnvironment(active)), API_TIMEOUT_MS) : undefined;
    const path = resolved?.executable?.uri?.fsPath;
    return typeof path === 'string' && path ? path : undefined;
  }
  // The older API gives the command that runs Python; a command of several words (`conda run
  // -n env python`) does not name an interpreter, so only a single word is taken.
  const command = api.settings?.getExecutionDetails?.(folder)?.execCommand;
  return Array.isArray(command) && command.length === 1 && typeof command[0] === 'string' && command[0] ? command[0] : undefined;
}

/** `promise`, or a rejection after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
