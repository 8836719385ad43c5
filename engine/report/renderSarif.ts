/**
 * The report as SARIF 2.1.0, the format CI systems display inline (GitHub code scanning, GitLab,
 * Azure DevOps): one rule per check id with its help text, one result per finding with its
 * location. Severity maps to SARIF levels: error, warning, note.
 */
import { CHECK_CATALOG } from '../checks/checkCatalog';
import type { CheckId, Finding } from '../findings';
import type { Report } from './reportTypes';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export function renderSarif(report: Report, toolVersion: string): string {
  const ids = Object.keys(CHECK_CATALOG) as CheckId[];
  const results: unknown[] = [];
  const push = (f: Finding, feature?: Report['features'][number]) => {
    results.push({
      ruleId: f.check,
      ruleIndex: ids.indexOf(f.check),
      level: f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'note',
      message: { text: feature ? `${feature.name}: ${f.message}` : f.message },
      ...(f.location
        ? { locations: [{ physicalLocation: { artifactLocation: { uri: f.location.file, uriBaseId: 'SRCROOT' }, region: { startLine: f.location.line, startColumn: f.location.column } } }] }
        : {}),
      ...(feature ? { properties: { feature: feature.name, verdict: feature.verdict, ...(f.metrics ? { metrics: f.metrics } : {}) } } : {}),
    });
  };
  for (const f of report.findings) push(f);
  for (const feature of report.features) for (const f of feature.findings) push(f, feature);
  return JSON.stringify(
    {
      $schema: SARIF_SCHEMA,
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'FeatureGuard',
              version: toolVersion,
              informationUri: 'https://example.invalid/featureguard',
              rules: ids.map((id) => ({
                id,
                name: id.replace(/[.-](\w)/g, (_, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toUpperCase()),
                shortDescription: { text: CHECK_CATALOG[id].short },
                fullDescription: { text: `${CHECK_CATALOG[id].short} ${CHECK_CATALOG[id].help}` },
                help: { text: CHECK_CATALOG[id].help },
              })),
            },
          },
          originalUriBaseIds: { SRCROOT: { uri: 'file:///' } },
          results,
          properties: { base: report.base, target: report.target, summary: report.summary },
        },
      ],
    },
    null,
    2,
  ) + '\n';
}
