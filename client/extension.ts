/**
 * The VS Code extension: a thin client. It starts the bundled language server, forwards workspace
 * trust and the Python extension's selected interpreter, and offers the commands, the status bar
 * item and the report webview. No analysis here.
 */
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { ClientCommands, Commands, PythonInterpreterNotification, StatusNotification, TrustNotification, type InitializationOptions, type RunChecksResult, type StatusParams } from '../shared/protocol';
import { EditorPython } from './pythonInterpreter';
import { showReport } from './reportPanel';
import { StatusItem } from './statusItem';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('FeatureGuard', { log: true });
  output.info(`FeatureGuard ${(context.extension.packageJSON as { version: string }).version} (${process.platform}-${process.arch})`);
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  // The Python extension's interpreter, if it answers quickly; a later answer comes as a notification.
  const editorPython = new EditorPython((message) => output.info(message));
  context.subscriptions.push(editorPython);
  const initializationOptions: InitializationOptions = { trusted: vscode.workspace.isTrusted, pythonInterpreters: await editorPython.initial(3000) };
  const clientOptions: LanguageClientOptions = {
    documentSelector: ['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'python'].map((language) => ({ scheme: 'file', language })),
    outputChannel: output,
    initializationOptions,
  };
  client = new LanguageClient('featureguard', 'FeatureGuard', serverOptions, clientOptions);

  const status = new StatusItem();
  context.subscriptions.push(status, output);
  client.onNotification(StatusNotification, (p: StatusParams) => status.update(p));

  context.subscriptions.push(
    vscode.commands.registerCommand('featureguard.runMlChecks', () => runMlChecks()),
    vscode.commands.registerCommand(ClientCommands.showReport, (folderUri?: string, feature?: string) => client && showReport(context, client, folderUri, feature)),
    vscode.commands.registerCommand('featureguard.installHook', () => installHook()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void client?.sendNotification(TrustNotification, { trusted: true })),
  );
  await client.start();
  editorPython.listen((params) => void client?.sendNotification(PythonInterpreterNotification, params).catch(() => undefined));
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

/** "FeatureGuard: Run ML Checks": every folder, with a progress notification; results land in Problems. */
async function runMlChecks(): Promise<RunChecksResult | undefined> {
  if (!client) return undefined;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'FeatureGuard: running ML checks', cancellable: false },
    () => client!.sendRequest(ExecuteCommandRequest.type, { command: Commands.runChecks, arguments: [] }) as Promise<RunChecksResult | null>,
  );
  if (!result) return undefined;
  const summary = `FeatureGuard: ${result.featuresAffected} feature(s) affected, ${result.featuresChecked} checked — ${result.errors} error(s), ${result.warnings} warning(s)`;
  const show = result.errors ? vscode.window.showErrorMessage : result.warnings ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(summary, 'Show Report', 'Problems').then((choice) => {
    if (choice === 'Show Report') void vscode.commands.executeCommand(ClientCommands.showReport);
    if (choice === 'Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
  });
  return result;
}

async function installHook(): Promise<string | undefined> {
  if (!client) return undefined;
  const folder = vscode.workspace.workspaceFolders?.length === 1 ? vscode.workspace.workspaceFolders[0] : await vscode.window.showWorkspaceFolderPick();
  if (!folder) return undefined;
  try {
    const message = (await client.sendRequest(ExecuteCommandRequest.type, { command: Commands.installHook, arguments: [folder.uri.toString(), false] })) as string;
    void vscode.window.showInformationMessage(`FeatureGuard: ${message}`);
    return message;
  } catch (err) {
    const message = (err as Error).message;
    const choice = await vscode.window.showWarningMessage(`FeatureGuard: ${message}`, 'Replace the hook');
    if (choice !== 'Replace the hook') return undefined;
    return (await client.sendRequest(ExecuteCommandRequest.type, { command: Commands.installHook, arguments: [folder.uri.toString(), true] })) as string;
  }
}
