/** The JSON Schema (for editor completion) and the loader must agree on the keys they accept. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECK_IDS, FEATURE_KEYS, MODEL_KEYS, ROOT_KEYS, SAMPLE_BLOCKS_KEYS, SNAPSHOT_KEYS } from '../../engine/config/loadConfig';
import { REPO_ROOT } from '../helpers';

describe('featureguard.schema.json', () => {
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', 'featureguard.schema.json'), 'utf8'));

  it('lists every check id the loader accepts in thresholds', () => {
    assert.deepEqual([...schema.properties.thresholds.propertyNames.enum].sort(), [...CHECK_IDS].sort());
  });

  it('describes exactly the keys the loader accepts', () => {
    assert.deepEqual(Object.keys(schema.properties).sort(), [...ROOT_KEYS].sort());
    assert.deepEqual(Object.keys(schema.properties.features.additionalProperties.properties).sort(), [...FEATURE_KEYS].sort());
    assert.deepEqual(Object.keys(schema.properties.snapshots.additionalProperties.properties).sort(), [...SNAPSHOT_KEYS].sort());
    assert.deepEqual(Object.keys(schema.properties.models.additionalProperties.properties).sort(), [...MODEL_KEYS].sort());
    assert.deepEqual(Object.keys(schema.properties.snapshots.additionalProperties.properties.sampleBlocks.properties).sort(), [...SAMPLE_BLOCKS_KEYS].sort());
  });
});
