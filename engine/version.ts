/**
 * FeatureGuard's version, `package.json`'s, put into every bundle at build time (esbuild's
 * `define`); "dev" when the source runs unbundled. Every output names it: `--version`, the JSON
 * report's `summary.version`, SARIF's `tool.driver.version`, JUnit's properties and the HTML footer
 * (the extension's output channel reads the same version from the extension's manifest).
 */
declare const __FEATUREGUARD_VERSION__: string | undefined;

export function toolVersion(): string {
  return typeof __FEATUREGUARD_VERSION__ === 'string' ? __FEATUREGUARD_VERSION__ : 'dev';
}
