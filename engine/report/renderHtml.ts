/**
 * The report as one self-contained HTML page: the same content as the editor's webview (SPEC §6
 * `--format html`): per affected feature the verdict, the change and what to do, the metrics, the
 * stored / base / target histograms as inline SVG, the findings and example rows; per model that
 * reads a changed feature (SPEC §10) its one-line result and its score distributions before (as
 * stored) and after the edit. No scripts and no remote resources; colours come from VS Code's
 * theme variables when shown in a webview.
 */
import type { Finding } from '../findings';
import type { FeatureHistogram, FeatureReport, ModelReport, Report } from './reportTypes';

export interface HtmlOptions {
  /** A Content-Security-Policy `<meta>` value; the default allows inline styles only. */
  csp?: string;
  /** Scroll to this feature's section. */
  focusFeature?: string;
}

const SIDE_COLORS = { stored: 'var(--fg-stored)', base: 'var(--fg-base)', target: 'var(--fg-target)' } as const;
/** A model's scores as stored share the stored values' colour; with the edit, the target's. */
const MODEL_SIDES = [
  { key: 'before', label: 'before (as stored)', color: SIDE_COLORS.stored },
  { key: 'after', label: 'after (with the edit)', color: SIDE_COLORS.target },
] as const;

export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  const csp = options.csp ?? "default-src 'none'; style-src 'unsafe-inline'; img-src data:;";
  const s = report.summary;
  const title = `FeatureGuard report: ${report.base} → ${report.target}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>FeatureGuard</h1>
  <p class="sub">${esc(report.base)} → ${esc(report.target)} · ${s.featuresAffected} feature${s.featuresAffected === 1 ? '' : 's'} affected · ${s.featuresChecked} checked on ${s.rowsSampled} sampled rows · ${s.durationMs} ms</p>
  <p class="counts"><span class="sev error">${s.errors} error${s.errors === 1 ? '' : 's'}</span> <span class="sev warning">${s.warnings} warning${s.warnings === 1 ? '' : 's'}</span> <span class="sev info">${s.infos} info</span></p>
</header>
${report.changes.length ? `<section class="changes"><h2>Changed symbols</h2><ul>${report.changes.map((c) => `<li><code>${esc(c.symbol)}</code> ${esc(c.kind)} <span class="dim">${esc(c.file)}:${c.line}${c.from ? ` from ${esc(c.from)}` : ''}</span></li>`).join('')}</ul></section>` : ''}
${report.findings.length ? `<section><h2>Findings</h2>${findingsList(report.findings)}</section>` : ''}
${report.models?.length ? modelsSection(report.models) : ''}
${report.features.length ? report.features.map((f) => featureSection(f, f.name === options.focusFeature, report.models ?? [])).join('\n') : '<p>No feature is affected by this change.</p>'}
<footer class="dim">FeatureGuard ${esc(s.version ?? '')}</footer>
</body>
</html>
`;
}

function featureSection(f: FeatureReport, focus: boolean, models: ModelReport[]): string {
  const loc = f.location ? `${f.location.file}:${f.location.line}` : f.source;
  const examples = f.findings.find((x) => x.examples?.length)?.examples ?? [];
  const reading = models.filter((m) => m.features.includes(f.name));
  return `<section class="feature${focus ? ' focus' : ''}" id="feature-${esc(f.name)}">
  <h2>${esc(f.name)} <span class="verdict ${esc(f.verdict)}">${esc(f.verdict)}</span></h2>
  <p class="dim">${esc(loc)}${f.snapshot ? ` · snapshot ${esc(f.snapshot)}` : ''}${f.consumers.length ? ` · read by ${esc(f.consumers.map((c) => (f.models?.includes(c) ? `${c} (model)` : c)).join(', '))}` : ''}</p>
  ${f.via.length ? `<p>Reached through ${f.via.map((v) => `<code>${esc(v.slice(v.lastIndexOf('#') + 1))}</code>`).join(' → ')} → <code>${esc(f.source.slice(f.source.lastIndexOf('#') + 1))}</code></p>` : ''}
  ${f.change ? `<p class="change"><strong>${esc(f.change.kind)}</strong> — ${esc(f.change.recommendation)}</p>` : ''}
  ${reading.length ? `<ul class="model-lines">${reading.map((m) => `<li><a href="#model-${esc(m.name)}">${modelLineHtml(m)}</a></li>`).join('')}</ul>` : ''}
  <div class="row">
    ${f.metrics ? metricsTable(f.metrics) : ''}
    ${f.histogram ? histogramSvg(f.histogram) : ''}
  </div>
  ${f.findings.length ? findingsList(f.findings) : '<p class="dim">No findings.</p>'}
  ${examples.length ? examplesTable(examples) : ''}
</section>`;
}

/** One line per model with its score distributions before and after the edit (SPEC §10). */
function modelsSection(models: ModelReport[]): string {
  return `<section class="models" id="models">
  <h2>Models</h2>
  ${models.map(modelBlock).join('\n  ')}
</section>`;
}

function modelBlock(m: ModelReport): string {
  const facts: string[] = [esc(m.path)];
  if (m.features.length) facts.push(`reads ${m.features.map((f) => `<code>${esc(f)}</code>`).join(', ')}`);
  if (m.task) facts.push(esc(m.task));
  if (m.output) facts.push(`output <code>${esc(m.output)}</code>`);
  const numbers: Record<string, number | null> = {};
  if (!m.error) {
    numbers.rows = m.rows;
    if (m.flipRate !== undefined) numbers.flipRate = m.flipRate;
    if (m.meanAbsDelta !== undefined) numbers.meanAbsDelta = m.meanAbsDelta;
    if (m.maxAbsDelta !== undefined) numbers.maxAbsDelta = m.maxAbsDelta;
    for (const x of m.metrics ?? (m.metric ? [m.metric] : [])) {
      numbers[`${x.name} before`] = x.before;
      numbers[`${x.name} after`] = x.after;
    }
    if (m.labelDisagreements) numbers.labelDisagreements = m.labelDisagreements;
  }
  return `<div class="model" id="model-${esc(m.name)}">
    <p class="model-line">${modelLineHtml(m)}</p>
    <p class="dim">${facts.join(' · ')}</p>
    ${m.error ? '' : `<div class="row">${metricsTable(numbers)}${m.histogram ? scoreHistogramSvg(m.name, m.histogram) : ''}</div>`}
  </div>`;
}

function modelLineHtml(m: ModelReport): string {
  return m.error ? `<span class="sev error">error</span> <code>model.input</code> ${esc(m.summary)}` : esc(m.summary);
}

function metricsTable(m: Record<string, number | null>): string {
  const rows = Object.entries(m).filter(([, v]) => v !== null && v !== undefined);
  return `<table class="metrics"><thead><tr><th>metric</th><th>value</th></tr></thead><tbody>${rows.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${fmt(v as number)}</td></tr>`).join('')}</tbody></table>`;
}

function findingsList(findings: Finding[]): string {
  return `<ul class="findings">${findings.map((f) => `<li><span class="sev ${f.severity}">${f.severity}</span> <code>${esc(f.check)}</code> ${esc(f.message)}${f.location ? ` <span class="dim">${esc(f.location.file)}:${f.location.line}</span>` : ''}</li>`).join('')}</ul>`;
}

function examplesTable(examples: NonNullable<Finding['examples']>): string {
  const cols = [...new Set(examples.flatMap((e) => Object.keys(e.row)))].slice(0, 8);
  const sides = (['stored', 'base', 'target', 'error'] as const).filter((k) => examples.some((e) => e[k] !== undefined));
  return `<details open><summary>Example rows</summary><table class="examples"><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}${sides.map((k) => `<th class="side">${k}</th>`).join('')}</tr></thead><tbody>${examples
    .map((e) => `<tr>${cols.map((c) => `<td>${cell(e.row[c])}</td>`).join('')}${sides.map((k) => `<td class="side">${cell(e[k])}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></details>`;
}

/** Grouped bars per bin: stored, base and target counts as shares of their totals. */
function histogramSvg(h: FeatureHistogram): string {
  const sides = (['stored', 'base', 'target'] as const).filter((k) => h[k] !== undefined).map((k) => ({ key: k, label: k, color: SIDE_COLORS[k], counts: h[k]! }));
  const axis = h.kind === 'numeric' ? { edges: h.edges } : { labels: h.labels };
  return groupedBars(sides, axis, 'histogram of stored, base and target values', (side, i, share) => `${side.label}: ${(share * 100).toFixed(1)}%`);
}

/** A model's score distributions on shared bins: as stored, and with the edit. */
function scoreHistogramSvg(name: string, h: NonNullable<ModelReport['histogram']>): string {
  const sides = MODEL_SIDES.map((s) => ({ ...s, counts: h[s.key] }));
  return groupedBars(sides, { edges: h.edges }, `${name}: score distribution before and after the edit`, (side, i, share) =>
    `${side.label}: ${side.counts[i].toLocaleString('en-US')} rows (${(share * 100).toFixed(1)}%) scored ${fmt(h.edges[i])}–${fmt(h.edges[i + 1])}`,
  );
}

interface BarSide {
  label: string;
  color: string;
  counts: number[];
}

/** Grouped bars per bin, each side's counts as shares of its total; `title` is each bar's tooltip. */
function groupedBars(sides: BarSide[], axis: { edges: number[] } | { labels: string[] }, aria: string, title: (side: BarSide, bin: number, share: number) => string): string {
  const bins = Math.max(0, ...sides.map((s) => s.counts.length));
  if (bins === 0 || sides.length === 0) return '';
  const shares = sides.map((s) => {
    const total = s.counts.reduce((a, b) => a + b, 0) || 1;
    return s.counts.map((x) => x / total);
  });
  const max = Math.max(...shares.flat(), 1e-9);
  const W = 420, H = 160, pad = 24;
  const bw = (W - pad) / bins;
  const barW = Math.max(1, (bw - 2) / sides.length);
  const bars: string[] = [];
  for (let i = 0; i < bins; i++) {
    sides.forEach((side, j) => {
      const share = shares[j][i] ?? 0;
      const hgt = (share / max) * (H - pad);
      bars.push(`<rect x="${(pad + i * bw + j * barW).toFixed(1)}" y="${(H - pad - hgt).toFixed(1)}" width="${barW.toFixed(1)}" height="${hgt.toFixed(1)}" fill="${side.color}"><title>${esc(title(side, i, share))}</title></rect>`);
    });
  }
  const labels = 'edges' in axis
    ? `<text x="${pad}" y="${H - 6}">${fmt(axis.edges[0])}</text><text x="${W}" y="${H - 6}" text-anchor="end">${fmt(axis.edges[axis.edges.length - 1])}</text>`
    : axis.labels.map((l, i) => `<text x="${(pad + (i + 0.5) * bw).toFixed(1)}" y="${H - 6}" text-anchor="middle">${esc(l.length > 8 ? l.slice(0, 7) + '…' : l)}</text>`).join('');
  const legend = sides.map((s) => `<span class="key"><i style="background:${s.color}"></i>${esc(s.label)}</span>`).join(' ');
  return `<figure class="histogram"><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(aria)}">${bars.join('')}<line x1="${pad}" y1="${H - pad}" x2="${W}" y2="${H - pad}" class="axis"/>${labels}</svg><figcaption>${legend}</figcaption></figure>`;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '<span class="dim">null</span>';
  if (typeof v === 'number') return fmt(v);
  return esc(typeof v === 'string' ? v : JSON.stringify(v));
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STYLE = `
:root {
  --bg: var(--vscode-editor-background, #ffffff); --fg: var(--vscode-editor-foreground, #1f2328);
  --dim: var(--vscode-descriptionForeground, #656d76); --border: var(--vscode-panel-border, #d0d7de);
  --error: var(--vscode-errorForeground, #cf222e); --warning: var(--vscode-editorWarning-foreground, #9a6700);
  --info: var(--vscode-editorInfo-foreground, #0969da); --ok: var(--vscode-testing-iconPassed, #1a7f37);
  --fg-stored: var(--vscode-charts-blue, #0969da); --fg-base: var(--vscode-charts-purple, #8250df); --fg-target: var(--vscode-charts-orange, #d4760f);
  font-family: var(--vscode-font-family, system-ui, sans-serif); font-size: var(--vscode-font-size, 14px);
}
body { background: var(--bg); color: var(--fg); margin: 0 auto; max-width: 980px; padding: 16px 24px; }
h1 { margin: 0 0 4px; font-size: 1.5em; } h2 { font-size: 1.15em; margin: 0 0 6px; }
.sub, .dim { color: var(--dim); } code { font-family: var(--vscode-editor-font-family, ui-monospace, monospace); }
section { border: 1px solid var(--border); border-radius: 6px; padding: 12px 16px; margin: 14px 0; }
section.focus { border-color: var(--info); border-width: 2px; }
.verdict { font-size: .8em; padding: 2px 8px; border-radius: 10px; border: 1px solid currentColor; vertical-align: middle; }
.verdict.broken { color: var(--error); } .verdict.changed { color: var(--warning); } .verdict.identical { color: var(--ok); } .verdict.new, .verdict.not-checked { color: var(--dim); }
.sev { font-weight: 600; } .sev.error { color: var(--error); } .sev.warning { color: var(--warning); } .sev.info { color: var(--info); }
.row { display: flex; gap: 24px; flex-wrap: wrap; align-items: flex-start; }
table { border-collapse: collapse; margin: 6px 0; } td, th { border-bottom: 1px solid var(--border); padding: 2px 10px 2px 0; text-align: left; }
td.side, th.side { font-weight: 600; }
.findings { padding-left: 18px; } .findings li { margin: 4px 0; }
.histogram { margin: 0; } .histogram svg text { fill: var(--dim); font-size: 10px; } .axis { stroke: var(--border); }
.model + .model { border-top: 1px solid var(--border); margin-top: 10px; padding-top: 10px; }
.model-line { font-weight: 600; margin: 0 0 2px; } .model-lines { padding-left: 18px; margin: 4px 0; } .model-lines a { color: inherit; }
.key { margin-right: 12px; color: var(--dim); } .key i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
`;
