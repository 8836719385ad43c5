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

/**
 * The young generation stays at the size it starts with (1 MB) instead of doubling up to 16 MB
 * semi-spaces as the process allocates: its semi-spaces stayed resident at their largest, and the
 * larger they are, the more short-lived garbage of a million-row check (decoded pages, replies)
 * stands in them at once. `--max-semi-space-size` would say the same but works only on the
 * command line, which an editor writes; this flag is read whenever the space would grow. Measured
 * on the 2,000-module benchmark: the server's VmHWM 25–35 MB lower, keystroke p50/p95 and save
 * times unchanged within the noise (load 4–6).
 */
const SEMI_SPACE_GROWTH_FACTOR = 1;

export function runLanguageServer(): void {
  // A long-lived process that mostly waits: it should hold what it needs, not what it last churned.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  setFlagsFromString(`--semi-space-growth-factor=${SEMI_SPACE_GROWTH_FACTOR}`);
  // And lets go of a snapshot read's garbage before it waits for its workers (collectGarbage.ts).
  enableCollectGarbage();
  startServer(createConnection(ProposedFeatures.all));
}
