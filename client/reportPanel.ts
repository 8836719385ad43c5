/**
 * "FeatureGuard: Show Impact Report": a webview with the server-rendered report (histograms,
 * metrics, examples). Scripts are disabled and the Content-Security-Policy allows only the
 * webview's own inline styles and data: images — no remote resources.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ReportHtmlRequest, type ReportHtmlParams } from '../shared/protocol';

let panel: vscode.WebviewPanel | undefined;

export async function showReport(context: vscode.ExtensionContext, client: LanguageClient, folderUri?: string, feature?: string): Promise<void> {
  if (!panel) {
    panel = vscode.window.createWebviewPanel('featureguard.report', 'FeatureGuard Report', vscode.ViewColumn.Beside, { enableScripts: false, localResourceRoots: [] });
    panel.onDidDispose(() => (panel = undefined), undefined, context.subscriptions);
  }
  const csp = `default-src 'none'; style-src ${panel.webview.cspSource} 'unsafe-inline'; img-src ${panel.webview.cspSource} data:;`;
  const params: ReportHtmlParams = { folderUri, feature, csp };
  panel.webview.html = (await client.sendRequest(ReportHtmlRequest, params)) as string;
  panel.reveal(undefined, true);
}
