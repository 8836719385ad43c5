/** A small Python feature repository (with one TypeScript feature beside it) for editor tests. */
import { makeRepo } from '../helpers';

export const pyUtil = `"""Helpers."""
CAP = 50


def clip(x, hi=CAP):
    return min(x, hi)
`;
export const pyFeatures = `from .util import clip


def recency(row):
    """Days since the last login, capped."""
    return clip(row["days"])


def spend(row):
    return row["spend"]
`;

export function pythonRepo(): string {
  return makeRepo({
    'src/churn/__init__.py': '',
    'src/churn/util.py': pyUtil,
    'src/churn/features.py': pyFeatures,
    'web/score.ts': 'export function score(row: { s: number }): number { return row.s * 2; }\n',
    'featureguard.json': JSON.stringify({
      python: { paths: ['src'] },
      features: {
        recency: { source: 'src/churn/features.py#recency', consumers: ['churn_model_v3'] },
        spend: { source: 'src/churn/features.py#spend' },
        score: { source: 'web/score.ts#score' },
      },
    }),
  });
}
