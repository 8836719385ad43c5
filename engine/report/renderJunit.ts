/**
 * The report as JUnit XML, which every CI system can show as a test result: one test suite, one
 * test case per affected feature, a failure per error finding, warnings in system-out.
 */
import type { Report } from './reportTypes';

export function renderJunit(report: Report): string {
  const cases = report.features.map((f) => {
    const errors = f.findings.filter((x) => x.severity === 'error');
    const others = f.findings.filter((x) => x.severity !== 'error');
    const time = 0;
    const failures = errors
      .map((e) => `      <failure type="${xml(e.check)}" message="${xml(e.message)}">${xml(`${e.check}: ${e.message}${e.location ? ` (${e.location.file}:${e.location.line})` : ''}`)}</failure>`)
      .join('\n');
    const out = [`verdict: ${f.verdict}`, ...(f.change ? [`change: ${f.change.kind} — ${f.change.recommendation}`] : []), ...others.map((o) => `${o.severity} ${o.check}: ${o.message}`)].join('\n');
    return `    <testcase classname="featureguard.${xml(f.snapshot ?? 'features')}" name="${xml(f.name)}" file="${xml(f.location?.file ?? f.source)}" time="${time}">
${failures ? failures + '\n' : ''}      <system-out>${xml(out)}</system-out>
    </testcase>`;
  });
  const global = report.findings.map(
    (e) => `    <testcase classname="featureguard.code" name="${xml(e.location?.file ?? e.check)}" time="0">
      <failure type="${xml(e.check)}" message="${xml(e.message)}">${xml(e.message)}</failure>
    </testcase>`,
  );
  const tests = cases.length + global.length;
  const failures = report.features.filter((f) => f.findings.some((x) => x.severity === 'error')).length + global.length;
  const seconds = (report.summary.durationMs / 1000).toFixed(3);
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="FeatureGuard" tests="${tests}" failures="${failures}" errors="0" time="${seconds}">
  <testsuite name="featureguard ${xml(report.base)} → ${xml(report.target)}" tests="${tests}" failures="${failures}" errors="0" skipped="0" time="${seconds}">
    <properties>
      <property name="featureguard.version" value="${xml(report.summary.version ?? 'unknown')}"/>
      <property name="featureguard.base" value="${xml(report.base)}"/>
      <property name="featureguard.target" value="${xml(report.target)}"/>
    </properties>
${[...global, ...cases].join('\n')}
  </testsuite>
</testsuites>
`;
}

function xml(s: string): string {
  // Characters XML 1.0 forbids are dropped; the rest is escaped.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0B\x0C\x0E-\x1F]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
