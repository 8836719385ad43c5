/**
 * The `featureguard.*` settings, read by the server per workspace folder (`workspace/configuration`)
 * and declared in package.json's `contributes.configuration`.
 */

/** When data checks run: after a pause in typing, on save, or only on command. */
export type RunDataChecks = 'onType' | 'onSave' | 'manual';

export interface FeatureGuardSettings {
  runDataChecks: RunDataChecks;
  /** Path of the config file relative to the folder; default `featureguard.json`. */
  configPath: string;
  /** Pause in typing, in milliseconds, before `onType` data checks start. */
  dataCheckDelayMs: number;
  /**
   * Compute HEAD's values of every feature in the background (after start-up and after each
   * commit or checkout), so a check runs only the edited side. Never in an untrusted workspace,
   * nor with `runDataChecks: manual`.
   */
  warmBaseValues: boolean;
}

export const DEFAULT_SETTINGS: FeatureGuardSettings = {
  runDataChecks: 'onType',
  configPath: '',
  dataCheckDelayMs: 800,
  warmBaseValues: true,
};

/** Settings from an untyped `workspace/configuration` answer, with defaults for what is missing or wrong. */
export function settingsFrom(raw: unknown): FeatureGuardSettings {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const mode = o.runDataChecks;
  return {
    runDataChecks: mode === 'onType' || mode === 'onSave' || mode === 'manual' ? mode : DEFAULT_SETTINGS.runDataChecks,
    configPath: typeof o.configPath === 'string' ? o.configPath : DEFAULT_SETTINGS.configPath,
    dataCheckDelayMs: typeof o.dataCheckDelayMs === 'number' && o.dataCheckDelayMs >= 0 ? o.dataCheckDelayMs : DEFAULT_SETTINGS.dataCheckDelayMs,
    warmBaseValues: typeof o.warmBaseValues === 'boolean' ? o.warmBaseValues : DEFAULT_SETTINGS.warmBaseValues,
  };
}
