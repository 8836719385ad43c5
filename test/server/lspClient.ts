/**
 * A minimal LSP client for tests: spawns the real server (`featureguard lsp --stdio`) and speaks
 * JSON-RPC to it over stdio, collecting pushed diagnostics and status notifications and answering
 * the server's own requests (configuration, progress).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { CLI } from '../helpers';

export interface ClientOptions {
  rootUri: string;
  settings?: Record<string, unknown>;
  trusted?: boolean;
  /** False: a client that cannot answer `workspace/configuration` and pushes settings instead. */
  configurationRequests?: boolean;
  /** More `initializationOptions` (e.g. `pythonInterpreters`). */
  initializationOptions?: Record<string, unknown>;
  /** Another CLI bundle to run the server from (an unpacked VSIX's); the repository's dist/cli.js by default. */
  cli?: string;
}

export class LspTestClient {
  readonly diagnostics = new Map<string, Diagnostic[]>();
  /** How many times each URI's diagnostics were published. */
  readonly publishCount = new Map<string, number>();
  readonly statuses: { state: string; errors: number; message: string }[] = [];
  readonly logs: string[] = [];
  settings: Record<string, unknown>;
  private readonly child: ChildProcess;
  readonly connection: MessageConnection;
  private versions = new Map<string, number>();

  constructor(private readonly options: ClientOptions) {
    this.settings = options.settings ?? {};
    this.child = spawn(process.execPath, [options.cli ?? CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d) => this.logs.push(String(d)));
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      this.publishCount.set(p.uri, (this.publishCount.get(p.uri) ?? 0) + 1);
    });
    this.connection.onNotification('featureguard/status', (p) => void this.statuses.push(p));
    this.connection.onNotification('window/logMessage', (p: { message: string }) => void this.logs.push(p.message));
    this.connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => this.settings));
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onNotification('$/progress', () => undefined);
    this.connection.listen();
  }

  async initialize(): Promise<void> {
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: this.options.rootUri,
      workspaceFolders: [{ uri: this.options.rootUri, name: 'ws' }],
      capabilities: {
        workspace: { configuration: this.options.configurationRequests !== false, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: true } },
        window: { workDoneProgress: true },
        textDocument: { publishDiagnostics: {}, synchronization: { didSave: true } },
      },
      initializationOptions: { trusted: this.options.trusted !== false, ...(this.options.configurationRequests === false ? { settings: this.settings } : {}), ...this.options.initializationOptions },
    });
    await this.connection.sendNotification('initialized', {});
  }

  open(uri: string, text: string, languageId = 'typescript'): void {
    this.versions.set(uri, 1);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Replaces `from` with `to` in the document, as an incremental change. */
  edit(uri: string, currentText: string, from: string, to: string): string {
    const offset = currentText.indexOf(from);
    if (offset < 0) throw new Error(`"${from}" not in document`);
    const pos = (o: number) => {
      const before = currentText.slice(0, o);
      const line = before.split('\n').length - 1;
      return { line, character: o - (before.lastIndexOf('\n') + 1) };
    };
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: pos(offset), end: pos(offset + from.length) }, text: to }],
    });
    return currentText.slice(0, offset) + to + currentText.slice(offset + from.length);
  }

  save(uri: string): void {
    void this.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
  }

  /** Tells the server that files changed on disk, as an editor's file watcher does. */
  filesChanged(...uris: string[]): void {
    void this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: uris.map((uri) => ({ uri, type: 2 })) });
  }

  /** FeatureGuard diagnostics of a document, with plain-text messages. */
  fg(uri: string): (Diagnostic & { message: string })[] {
    return (this.diagnostics.get(uri) ?? [])
      .filter((d) => d.source === 'featureguard')
      .map((d) => ({ ...d, message: typeof d.message === 'string' ? d.message : d.message.value }));
  }

  /** Polls until `predicate` holds, or fails after `ms` with what was last seen. */
  async waitFor<T>(what: string, predicate: () => T | undefined | false, ms = 20000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = predicate();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; diagnostics: ${JSON.stringify([...this.diagnostics], null, 1).slice(0, 3000)}\nlogs: ${this.logs.join('\n').slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** The server's process id. */
  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null;
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      void this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    this.child.kill();
  }
}
