/**
 * The FeatureGuard language server: wires LSP requests and notifications to one `FolderState` per
 * workspace folder with a config. Handlers convert in, call the engine, convert out; each is
 * guarded so that one failing request never takes the server down.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  type ClientCapabilities,
  type Connection,
  type Diagnostic,
  type WorkspaceFolder,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { UserError } from '../engine/errors';
import type { SessionResult } from '../engine/session/workspaceSession';
import { WorkspaceSession } from '../engine/session/workspaceSession';
import { renderHtml } from '../engine/report/renderHtml';
import type { Report } from '../engine/report/reportTypes';
import { installHookIn } from './hookCommand';
import { Commands, PythonInterpreterNotification, ReportHtmlRequest, ReportsRequest, type ReportHtmlParams, StatusNotification, TrustNotification, type FolderReport, type InitializationOptions, type PythonInterpreterParams, type RunChecksResult, type StatusParams, type TrustParams } from '../shared/protocol';
import { settingsFrom, type FeatureGuardSettings } from '../shared/settings';
import { codeActionsFor, readDisk } from './codeActions';
import { collectGarbage } from './collectGarbage';
import { configDiagnostics } from './configDiagnostics';
import { diagnosticsByFile } from './diagnostics';
import { codeLenses, hoverAt } from './featureLenses';
import { FolderState, type FolderHooks } from './folderState';
import { pathToUri, uriToPath } from './toProto';
import { nativeFallbacks } from '../engine/nativeFallbacks';

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const folders = new Map<string, FolderState>();
  /** What was last sent per folder: each file's diagnostics as JSON, by URI. */
  const published = new Map<string, Map<string, string>>();
  let capabilities: ClientCapabilities = {};
  let trusted = true;
  let initialFolders: WorkspaceFolder[] = [];
  /** Settings pushed with `workspace/didChangeConfiguration` (or `initializationOptions.settings`). */
  let pushedSettings: unknown;
  /** The interpreter the editor has selected per folder URI (SPEC §9), kept for folders not open yet too. */
  const editorPythons = new Map<string, string>();

  const log = (message: string) => connection.console.log(`[featureguard] ${message}`);
  /** Native runtimes replaced by WebAssembly (the universal VSIX) are said once each, in the output channel. */
  let fallbacksSaid = 0;
  const sayFallbacks = () => {
    const lines = nativeFallbacks();
    while (fallbacksSaid < lines.length) connection.console.warn(`[featureguard] ${lines[fallbacksSaid++]}`);
  };

  /** Runs a handler; a failure is logged and answered with `fallback`, never thrown. */
  async function guard<T>(what: string, fallback: T, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      connection.console.error(`[featureguard] ${what} failed: ${(err as Error)?.stack ?? String(err)}`);
      return fallback;
    }
  }

  const hooks: FolderHooks = {
    publish(folder) {
      sayFallbacks();
      publishDiagnostics(folder);
      // Editors ask for code lenses when text changes; a verdict that arrives later needs a nudge.
      if (capabilities.workspace?.codeLens?.refreshSupport) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
      sendStatus(restingState(folder), folder.latest);
    },
    beginProgress(folder) {
      sendStatus('checking', folder.latest);
      if (!capabilities.window?.workDoneProgress) return () => undefined;
      // The progress token arrives asynchronously; the check may be over before it does.
      let done = false;
      let end: () => void = () => {
        done = true;
      };
      connection.window.createWorkDoneProgress().then(
        (reporter) => {
          if (done) return reporter.done();
          reporter.begin('FeatureGuard', undefined, 'checking affected features on snapshot rows');
          end = () => reporter.done();
        },
        () => undefined,
      );
      return () => end();
    },
    log,
    onError(folder, err) {
      const message = err instanceof UserError ? err.message : `internal error: ${(err as Error)?.message ?? String(err)}`;
      connection.console.error(`[featureguard] ${folder.uri}: ${err instanceof UserError ? message : (err as Error)?.stack ?? message}`);
      // A user error is also a diagnostic on the config, where it is fixed (`folder.userErrors`).
      if (err instanceof UserError) publishDiagnostics(folder);
      sendStatus('error', folder.latest, message);
    },
    warming(folder, progress) {
      if (!progress) return sendStatus(restingState(folder), folder.latest);
      const warming = { done: progress.done, total: progress.total };
      sendStatus('warming', folder.latest, `warming base values ${warming.done}/${warming.total}`, warming);
    },
  };

  /** A folder's state when nothing edit-driven runs: an impact-only result with a data check still to come is not "idle" yet. */
  function restingState(folder: FolderState): StatusParams['state'] {
    return !folder.trusted ? 'untrusted' : folder.pending ? 'analyzing' : 'idle';
  }

  function sendStatus(state: StatusParams['state'], result?: SessionResult, message?: string, warming?: StatusParams['warming']): void {
    let errors = 0, warnings = 0, featuresAffected = 0;
    let standing: UserError | undefined;
    for (const f of folders.values()) {
      standing ??= f.userErrors.values().next().value;
      if (!f.latest) continue;
      errors += f.latest.report.summary.errors;
      warnings += f.latest.report.summary.warnings;
      featuresAffected += f.latest.report.summary.featuresAffected;
    }
    // A run that succeeded does not hide a user error that still stands (a data check that failed
    // for want of an interpreter, before this impact-only run): the status stays an error.
    if (standing && (state === 'idle' || state === 'untrusted')) [state, message] = ['error', message ?? standing.message];
    const why = !trusted ? 'Restricted mode: static impact only; no workspace code runs until you trust this workspace.' : undefined;
    const text = message ?? why ?? (result ? `${featuresAffected} feature(s) affected, ${errors} error(s), ${warnings} warning(s)` : 'FeatureGuard');
    void connection.sendNotification(StatusNotification, { state: !trusted && state === 'idle' ? 'untrusted' : state, errors, warnings, featuresAffected, message: text, ...(warming && state === 'warming' ? { warming } : {}) } satisfies StatusParams);
  }

  /** Publishes a folder's diagnostics: its latest result's, and its standing user errors on the config. */
  function publishDiagnostics(folder: FolderState): void {
    const root = folder.session.root;
    // Each file's lines are split once per publish, not once per diagnostic.
    const lines = new Map<string, string[] | undefined>();
    const readLine = (file: string, line: number) => {
      if (!lines.has(file)) lines.set(file, textOf(join(root, file))?.split('\n'));
      return lines.get(file)?.[line - 1];
    };
    const byUri = new Map<string, Diagnostic[]>();
    if (folder.latest) {
      const byFile = diagnosticsByFile({ report: folder.latest.report, folderUri: folder.uri, untrusted: !folder.trusted, pending: folder.pending, readLine });
      for (const [file, diagnostics] of byFile) byUri.set(pathToUri(join(root, file)), diagnostics);
    }
    if (folder.userErrors.size > 0) {
      // The config the session read (the folder's `featureguard.configPath`, relative to the folder).
      const configPath = folder.session.config.configPath ?? join(uriToPath(folder.uri) ?? root, folder.settings.configPath || 'featureguard.json');
      const uri = pathToUri(configPath);
      const messages = [...folder.userErrors.values()].map((e) => e.message);
      byUri.set(uri, [...(byUri.get(uri) ?? []), ...configDiagnostics(messages, textOf(configPath), folder.uri)]);
    }
    // A file whose diagnostics did not change is not sent again: an edit changes a few files'
    // diagnostics, and a client redraws every file it is sent.
    const before = published.get(folder.uri) ?? new Map<string, string>();
    const now = new Map<string, string>();
    for (const [uri, diagnostics] of byUri) {
      const sent = JSON.stringify(diagnostics);
      now.set(uri, sent);
      if (before.get(uri) !== sent) void connection.sendDiagnostics({ uri, diagnostics });
    }
    for (const uri of before.keys()) if (!now.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
    published.set(folder.uri, now);
  }

  /** The current text of a file: the open buffer, or the file on disk. */
  function textOf(absPath: string): string | undefined {
    return openDocument(absPath)?.getText() ?? readDisk(absPath);
  }

  /**
   * The open document of a file. Looked up by path, not by URI string: clients escape URIs
   * differently (Neovim writes `%5b` where Node writes `%5B`), and a miss would mean reading the
   * file on disk instead of the unsaved buffer.
   */
  function openDocument(absPath: string): TextDocument | undefined {
    const direct = documents.get(pathToUri(absPath));
    if (direct) return direct;
    return documents.all().find((d) => uriToPath(d.uri) === absPath);
  }

  function folderOf(uri: string): FolderState | undefined {
    let best: FolderState | undefined;
    for (const f of folders.values()) if (uri.startsWith(f.uri.endsWith('/') ? f.uri : f.uri + '/') && (!best || f.uri.length > best.uri.length)) best = f;
    return best;
  }

  async function settingsOf(uri: string): Promise<FeatureGuardSettings> {
    // Clients that cannot answer `workspace/configuration` push settings instead.
    if (!capabilities.workspace?.configuration) return settingsFrom(pushedSettings);
    return settingsFrom(await connection.workspace.getConfiguration({ scopeUri: uri, section: 'featureguard' }));
  }

  async function addFolder(folder: WorkspaceFolder): Promise<void> {
    const path = uriToPath(folder.uri);
    if (!path) return;
    const settings = await settingsOf(folder.uri);
    const configPath = join(path, settings.configPath || 'featureguard.json');
    if (!existsSync(configPath)) return log(`${folder.name}: no ${settings.configPath || 'featureguard.json'}, FeatureGuard is idle there`);
    let session: WorkspaceSession;
    try {
      session = await WorkspaceSession.open({ cwd: path, configPath, editorPython: editorPythons.get(folder.uri) });
    } catch (err) {
      const message = err instanceof UserError ? err.message : String(err);
      connection.console.error(`[featureguard] ${folder.name}: ${message}`);
      void connection.window.showErrorMessage(`FeatureGuard: ${message}`);
      return sendStatus('error', undefined, message);
    }
    session.collect = collectGarbage;
    const state = new FolderState(folder.uri, folder.name, session, settings, trusted, hooks);
    // A folder added twice (a repeated workspace-folders event) replaces its state: end the old one's workers.
    folders.get(folder.uri)?.dispose();
    folders.set(folder.uri, state);
    log(`${folder.name}: ${session.config.features.size} configured feature(s) in ${configPath}`);
    logEditorPython(state);
    for (const doc of documents.all()) syncDocument(doc, state);
    state.startWatchingHead();
    await state.saved();
  }

  function removeFolder(uri: string): void {
    folders.get(uri)?.dispose();
    folders.delete(uri);
    for (const u of published.get(uri)?.keys() ?? []) void connection.sendDiagnostics({ uri: u, diagnostics: [] });
    published.delete(uri);
  }

  function syncDocument(doc: TextDocument, folder = folderOf(doc.uri)): FolderState | undefined {
    const path = uriToPath(doc.uri);
    const rel = folder && path ? folder.session.relativePath(path) : undefined;
    if (!folder || !rel) return undefined;
    folder.session.setBuffer(rel, doc.getText());
    return folder;
  }

  connection.onInitialize((params) => {
    capabilities = params.capabilities;
    const init = params.initializationOptions as InitializationOptions | undefined;
    trusted = init?.trusted !== false;
    pushedSettings = init?.settings;
    initialFolders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: params.rootUri }] : []);
    const interpreters = init?.pythonInterpreters;
    if (typeof interpreters === 'object' && interpreters) for (const [uri, path] of Object.entries(interpreters)) setEditorPython(uri, path);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeLensProvider: { resolveProvider: false },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        executeCommandProvider: { commands: [Commands.runChecks, Commands.installHook] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'featureguard' },
    };
  });

  connection.onInitialized(() =>
    guard('initialization', undefined, async () => {
      if (capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
        await connection.client.register(DidChangeConfigurationNotification.type, { section: 'featureguard' });
      }
      if (capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
        await connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: '**/featureguard.json' }, { globPattern: '**/*.{parquet,arrow,feather,ipc,csv}' }, { globPattern: '**/.git/HEAD' }],
        });
      }
      if (capabilities.workspace?.workspaceFolders) {
        connection.workspace.onDidChangeWorkspaceFolders((e) =>
          guard('workspace folders', undefined, async () => {
            for (const f of e.removed) removeFolder(f.uri);
            for (const f of e.added) await addFolder(f);
          }),
        );
      }
      for (const f of initialFolders) await addFolder(f);
    }),
  );

  documents.onDidChangeContent((e) => void guard('change', undefined, () => syncDocument(e.document)?.edited()));
  documents.onDidClose((e) =>
    void guard('close', undefined, () => {
      const folder = folderOf(e.document.uri);
      const path = uriToPath(e.document.uri);
      const rel = folder && path ? folder.session.relativePath(path) : undefined;
      if (!folder || !rel) return;
      folder.session.setBuffer(rel, undefined);
      folder.edited();
    }),
  );
  documents.onDidSave((e) => void guard('save', undefined, () => syncDocument(e.document)?.saved()));

  connection.onDidChangeWatchedFiles((e) =>
    guard('watched files', undefined, async () => {
      const touched = new Set<FolderState>();
      for (const change of e.changes) {
        const f = folderOf(change.uri);
        if (f) touched.add(f);
        else if (change.uri.endsWith('/featureguard.json')) {
          const folder = initialFolders.find((w) => change.uri.startsWith(w.uri));
          if (folder && !folders.has(folder.uri)) await addFolder(folder);
        }
      }
      for (const f of touched) await f.saved();
    }),
  );

  connection.onDidChangeConfiguration((params) =>
    guard('configuration', undefined, async () => {
      pushedSettings = (params.settings as { featureguard?: unknown } | undefined)?.featureguard;
      for (const f of [...folders.values()]) {
        const settings = await settingsOf(f.uri);
        if (settings.configPath !== f.settings.configPath) {
          removeFolder(f.uri);
          await addFolder(initialFolders.find((w) => w.uri === f.uri) ?? { uri: f.uri, name: f.uri });
        } else {
          f.settings = settings;
          await f.saved();
        }
      }
    }),
  );

  connection.onNotification(TrustNotification, (params: TrustParams) =>
    guard('trust', undefined, async () => {
      trusted = params.trusted;
      for (const f of folders.values()) {
        f.trusted = trusted;
        await f.saved();
      }
    }),
  );

  connection.onNotification(PythonInterpreterNotification, (params: PythonInterpreterParams) =>
    guard('python interpreter', undefined, async () => {
      if (!setEditorPython(params.folderUri, params.path)) return;
      const folder = folders.get(params.folderUri);
      if (!folder) return; // a folder opened later gets it from `editorPythons`
      // Python features run with another interpreter now: check the folder again.
      folder.session.editorPython = editorPythons.get(params.folderUri);
      logEditorPython(folder, true);
      await folder.saved();
    }),
  );

  /** Records a folder's interpreter from the editor; false when it is the one already known. */
  function setEditorPython(folderUri: string, path: string | null | undefined): boolean {
    const valid = typeof path === 'string' && path !== '' ? path : undefined;
    if (editorPythons.get(folderUri) === valid) return false;
    if (valid) editorPythons.set(folderUri, valid);
    else editorPythons.delete(folderUri);
    return true;
  }

  /** Logs the interpreter the folder's session has from the editor (`changed`: also that it has none any more). */
  function logEditorPython(folder: FolderState, changed = false): void {
    const path = folder.session.editorPython;
    if (path) log(`python interpreter for ${folder.name}: ${path} (from the Python extension)`);
    else if (changed) log(`python interpreter for ${folder.name}: none selected in the Python extension`);
  }

  connection.onCodeLens((params) =>
    guard('code lens', [], () => {
      const folder = folderOf(params.textDocument.uri);
      const path = uriToPath(params.textDocument.uri);
      const rel = folder && path ? folder.session.relativePath(path) : undefined;
      return folder?.latest && rel ? codeLenses(folder.latest, rel, folder.uri) : [];
    }),
  );

  connection.onHover((params) =>
    guard('hover', null, () => {
      const folder = folderOf(params.textDocument.uri);
      const path = uriToPath(params.textDocument.uri);
      const rel = folder && path ? folder.session.relativePath(path) : undefined;
      return (folder?.latest && rel ? hoverAt(folder.latest, rel, params.position) : undefined) ?? null;
    }),
  );

  connection.onCodeAction((params) =>
    guard('code actions', [], async () => {
      const folder = folderOf(params.textDocument.uri);
      return folder ? codeActionsFor(folder, params.context.diagnostics, textOf) : [];
    }),
  );

  connection.onExecuteCommand((params) =>
    guard('command ' + params.command, null, async () => {
      if (params.command === Commands.installHook) {
        const [uri, force] = (params.arguments ?? []) as [string | undefined, boolean | undefined];
        const folder = (uri && folders.get(uri)) || [...folders.values()][0];
        if (!folder) throw new Error('no workspace folder with a FeatureGuard config');
        try {
          return (await installHookIn(folder.session.root, !!force)).message;
        } catch (err) {
          // A hook that is not ours: the client asks the user whether to replace it.
          throw new ResponseError(1, (err as Error).message);
        }
      }
      if (params.command !== Commands.runChecks) return null;
      const result: RunChecksResult = { errors: 0, warnings: 0, featuresAffected: 0, featuresChecked: 0 };
      for (const f of folders.values()) {
        const r = (await f.checkNow())?.report;
        if (!r) continue;
        result.errors += r.summary.errors;
        result.warnings += r.summary.warnings;
        result.featuresAffected += r.summary.featuresAffected;
        result.featuresChecked += r.summary.featuresChecked;
      }
      return result;
    }),
  );

  connection.onRequest(ReportsRequest, () =>
    guard('reports', [] as FolderReport[], () => [...folders.values()].filter((f) => f.latest).map((f) => ({ folderUri: f.uri, report: f.latest!.report }))),
  );

  connection.onRequest(ReportHtmlRequest, (params: ReportHtmlParams) =>
    guard('report page', '', () => {
      const folder = (params.folderUri && folders.get(params.folderUri)) || [...folders.values()].find((f) => f.latest);
      if (!folder?.latest) return renderHtml(emptyReport(), { csp: params.csp });
      return renderHtml(folder.latest.report, { csp: params.csp, focusFeature: params.feature });
    }),
  );

  connection.onShutdown(() => {
    for (const f of folders.values()) f.dispose();
  });

  process.on('uncaughtException', (err) => connection.console.error(`[featureguard] uncaught: ${err.stack ?? err}`));
  process.on('unhandledRejection', (err) => connection.console.error(`[featureguard] unhandled rejection: ${(err as Error)?.stack ?? err}`));

  documents.listen(connection);
  connection.listen();
}

/** What the report page shows before any run. */
function emptyReport(): Report {
  return { version: 1, base: 'HEAD', target: 'editor', changes: [], features: [], findings: [], summary: { errors: 0, warnings: 0, infos: 0, featuresAffected: 0, featuresChecked: 0, rowsSampled: 0, durationMs: 0 } };
}
