/** The status bar item: error and warning counts, what runs, and why nothing runs in restricted mode. */
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
    const icon = p.state === 'checking' || p.state === 'analyzing' ? '$(sync~spin)' : p.state === 'untrusted' ? '$(shield)' : p.state === 'error' ? '$(warning)' : '$(beaker)';
    const counts = p.state === 'untrusted' ? 'static only' : `$(error) ${p.errors} $(warning) ${p.warnings}`;
    this.item.text = `${icon} FeatureGuard ${counts}`;
    this.item.tooltip = p.message;
    this.item.backgroundColor = p.errors > 0 ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
