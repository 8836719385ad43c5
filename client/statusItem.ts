/** The status bar item: error and warning counts, what runs (the background warm-up with its progress), and why nothing runs in restricted mode. */
import * as vscode from 'vscode';
import type { StatusParams } from '../shared/protocol';

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('featureguard.status', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'FeatureGuard';
    this.item.text = '$(beaker) FeatureGuard';
    this.item.command = 'featureguard.showReport';
    this.item.show();
  }

  update(p: StatusParams): void {
    const icon = p.state === 'checking' || p.state === 'analyzing' || p.state === 'warming' ? '$(sync~spin)' : p.state === 'untrusted' ? '$(shield)' : p.state === 'error' ? '$(warning)' : '$(beaker)';
    const counts = p.state === 'untrusted' ? 'static only' : `$(error) ${p.errors} $(warning) ${p.warnings}`;
    // The background warm-up says how far it is, beside the counts of the latest result.
    this.item.text = p.state === 'warming' ? `${icon} FeatureGuard: ${p.message} ${counts}` : `${icon} FeatureGuard ${counts}`;
    this.item.tooltip = p.state === 'warming' ? `FeatureGuard is ${p.message}: computing the committed (HEAD) values of the features in the background, so the next check runs only your edits` : p.message;
    this.item.backgroundColor = p.errors > 0 ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
