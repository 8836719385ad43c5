/**
 * Starts the language server on a connection over the transport named on the command line
 * (`--stdio` for any LSP client, `--node-ipc` from the VS Code client). `featureguard lsp` and the
 * extension's `dist/server.js` (`serverEntry.ts`) both call it.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

export function runLanguageServer(): void {
  startServer(createConnection(ProposedFeatures.all));
}
