/**
 * A model's result in one line, the same in the text report, the hover, the code lens and the
 * webview: "churn_model_v3: 31% of predictions flip, AUC 0.81 → 0.62 (5,000 rows)".
 */
import type { ModelReport } from '../report/reportTypes';
import type { MetricValue } from './modelScores';
import { pct } from '../report/renderText';

export function modelLine(m: ModelReport): string {
  if (m.error) return `${m.name}: ${m.error}`;
  const parts: string[] = [];
  const rate = m.flipRate ?? 0;
  if (m.task === 'regressor') parts.push(rate ? `${pct(rate)} of predictions move by more than 10% of their spread` : 'no prediction moves by more than 10% of its spread');
  else parts.push(rate ? `${pct(rate)} of predictions flip` : 'no prediction flips');
  if (m.meanAbsDelta !== undefined && (m.task === 'regressor' || !rate)) parts.push(`mean |Δ| ${fixed(m.meanAbsDelta)}`);
  if (m.metric) parts.push(metricText(m.metric));
  return `${m.name}: ${parts.join(', ')} (${m.rows.toLocaleString('en-US')} rows)`;
}

export function metricName(m: Pick<MetricValue, 'name'>): string {
  return m.name === 'auc' ? 'AUC' : m.name === 'rmse' ? 'RMSE' : 'accuracy';
}

export function metricText(m: MetricValue): string {
  return `${metricName(m)} ${fixed(m.before)} → ${fixed(m.after)}`;
}

/** Three significant decimals below 10, fewer above; trailing zeros dropped. */
export function fixed(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(Math.abs(x) >= 10 ? 1 : 3).replace(/(\.\d*?[1-9])0+$|\.0+$/, '$1');
}
