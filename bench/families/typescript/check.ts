/** `featureguard check` of the TypeScript workspaces: one feature, then every feature, edited ×1.25. */
import { checkSection } from '../../core/checkSection';
import { scaledFeatureText } from '../../core/edits';
import type { Section } from '../../core/types';

export const CHECK_SECTIONS: Section[] = [
  checkSection({
    id: 'check-one',
    title: 'featureguard check, ONE feature affected (its function body ×1.25), summary cache present',
    figure: 'featureguard check, 1 feature affected',
    pick: (meta) => [meta.features[0]],
    runs: (opts) => opts.runs,
    scale: scaledFeatureText,
  }),
  checkSection({
    id: 'check-all',
    title: 'featureguard check, ALL features affected (every feature function body ×1.25), summary cache present',
    figure: (meta) => `featureguard check, all ${meta.features.length} features affected`,
    generic: 'featureguard check, all features affected',
    pick: (meta) => meta.features,
    runs: (opts) => opts.checkRuns,
    scale: scaledFeatureText,
  }),
];
