/**
 * Starts the language server on a connection over the transport named on the command line
 * (`--stdio` for any LSP client, `--node-ipc` from the VS Code client). `featureguard lsp` and the
 * extension's `dist/server.js` (`serverEntry.ts`) both call it.
 */
import { setFlagsFromString } from 'node:v8';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { enableCollectGarbage } from './collectGarbage';
import { startServer } from './server';

/**
 * How far V8 lets the heap grow past what the last full collection kept, in percent. V8's own
 * factor (up to 4× for a fast-allocating process) let a data check that reads a million-row
 * snapshot — a burst of short-lived decoded pages — take the server to twice the memory it keeps;
 * 25% costs about a sixth more CPU in such a check and nothing measurable per keystroke.
 */
const HEAP_GROWING_PERCENT = 25;

export function runLanguageServer(): void {
  // A long-lived process that mostly waits: it should hold what it needs, not what it last churned.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  // And lets go of a snapshot read's garbage before it waits for its workers (collectGarbage.ts).
  enableCollectGarbage();
  startServer(createConnection(ProposedFeatures.all));
}
