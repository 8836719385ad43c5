/**
 * FeatureGuard's messages between the VS Code client and the language server, beyond standard
 * LSP. Any other editor gets diagnostics, code lens, hover and code actions through standard LSP
 * and can ignore these.
 */

/** Commands the server executes (`workspace/executeCommand`). */
export const Commands = {
  /** Runs static impact and data checks on every workspace folder; returns `RunChecksResult`. */
  runChecks: 'featureguard.runChecks',
  /**
   * Writes the git pre-commit hook (arguments: folder URI, force); returns a message for the user.
   * Distinct from the client's `featureguard.installHook` palette command: vscode-languageclient
   * registers every server command with VS Code, and two registrations of one id fail activation.
   */
  installHook: 'featureguard.server.installHook',
} as const;

/** Client-side commands the server's code lenses and code actions refer to. */
export const ClientCommands = {
  showReport: 'featureguard.showReport',
} as const;

export interface RunChecksResult {
  errors: number;
  warnings: number;
  featuresAffected: number;
  featuresChecked: number;
}

/** Request `featureguard/reports`: the latest report of each folder, for the report webview. */
export const ReportsRequest = 'featureguard/reports';

export interface FolderReport {
  folderUri: string;
  /** The engine's JSON report (SPEC §6), with histograms. */
  report: unknown;
}

/** Request `featureguard/reportHtml`: the report as a page for the webview (`renderHtml`). */
export const ReportHtmlRequest = 'featureguard/reportHtml';

export interface ReportHtmlParams {
  /** The folder whose report to show; default: the first folder with one. */
  folderUri?: string;
  /** Scroll to and highlight this feature. */
  feature?: string;
  /** The webview's Content-Security-Policy. */
  csp: string;
}

/** Notification `featureguard/status` (server → client): what the status bar shows. */
export const StatusNotification = 'featureguard/status';

export interface StatusParams {
  /**
   * `warming`: nothing edit-driven runs, and HEAD's values of the features are being computed in
   * the background (`warming` says how far), so that the next check runs only the edited side.
   */
  state: 'idle' | 'analyzing' | 'checking' | 'warming' | 'untrusted' | 'error';
  errors: number;
  warnings: number;
  featuresAffected: number;
  /** One line for the tooltip: what happened last, or why nothing runs (`warming`: "warming base values 12/50"). */
  message: string;
  /** With `warming`: features whose base values are ready, of those HEAD has. */
  warming?: { done: number; total: number };
}

/** Notification `featureguard/trust` (client → server): the workspace trust changed. */
export const TrustNotification = 'featureguard/trust';

export interface TrustParams {
  trusted: boolean;
}

/**
 * Notification `featureguard/pythonInterpreter` (client → server): the Python interpreter selected
 * in the editor for a workspace folder changed (in VS Code: the Python extension's active
 * environment). Python features run with it unless `python.interpreter` or `FEATUREGUARD_PYTHON`
 * names another (SPEC §9 "Which interpreter"); the folder is checked again.
 */
export const PythonInterpreterNotification = 'featureguard/pythonInterpreter';

export interface PythonInterpreterParams {
  /** The workspace folder, as the client names it in `workspaceFolders`. */
  folderUri: string;
  /** The interpreter's absolute path; null when the editor no longer has one for this folder. */
  path: string | null;
}

/** `initializationOptions` the client sends. */
export interface InitializationOptions {
  /** False in a restricted (untrusted) VS Code workspace: no workspace code may run. */
  trusted?: boolean;
  /** `featureguard.*` settings, for clients that cannot answer `workspace/configuration`. */
  settings?: unknown;
  /**
   * The Python interpreter selected in the editor for each workspace folder known at start: folder
   * URI → absolute path (later changes come as `featureguard/pythonInterpreter`).
   */
  pythonInterpreters?: Record<string, string>;
}
