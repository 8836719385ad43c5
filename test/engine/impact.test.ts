/** Static impact (SPEC §3) over real git repositories, one fixture per reference form. */
import { strict as assert } from 'node:assert';
import { removeTempDirs } from '../helpers';
import { checkImpact } from './impactFixture';

const util = `export const CLIP_MAX = 50;
export const UNUSED = 1;
/** Clips a value to [0, hi]. */
export function clip(x: number, hi = CLIP_MAX): number {
  return Math.max(0, Math.min(x, hi));
}
export function scale(x: number): number { return x * FACTOR; }
const FACTOR = 2;
`;
const activity = `import { clip } from './util';
import { scale as s } from './util';

export function recencyDays(row: { days: number }): number {
  return clip(row.days);
}

export function scaledDays(row: { days: number }): number {
  return s(row.days);
}
`;
const config = {
  features: {
    recency_days: { source: 'src/activity.ts#recencyDays', consumers: ['churn_model_v3'] },
    scaled_days: { source: 'src/activity.ts#scaledDays' },
  },
};
const base = { 'src/util.ts': util, 'src/activity.ts': activity };

describe('impact: from an edit to the features it reaches', () => {
  after(removeTempDirs);

  it('reports an edit of the feature function itself with an empty path', async () => {
    await checkImpact(
      { base, config, worktree: { 'src/activity.ts': activity.replace('clip(row.days)', 'clip(row.days + 1)') } },
      { features: { recency_days: [] }, changes: ['src/activity.ts#recencyDays:modified'] },
    );
  });

  it('follows a transitive constant through a default parameter value', async () => {
    const report = await checkImpact(
      { base, config, worktree: { 'src/util.ts': util.replace('CLIP_MAX = 50', 'CLIP_MAX = 60') } },
      { features: { recency_days: ['CLIP_MAX', 'clip'] }, changes: ['src/util.ts#CLIP_MAX:modified'] },
    );
    assert.deepEqual(report.features[0].consumers, ['churn_model_v3']);
    assert.deepEqual(report.features[0].via, ['src/util.ts#CLIP_MAX', 'src/util.ts#clip']);
  });

  it('follows an aliased named import and a non-exported constant', async () => {
    await checkImpact(
      { base, config, worktree: { 'src/util.ts': util.replace('FACTOR = 2', 'FACTOR = 3') } },
      { features: { scaled_days: ['FACTOR', 'scale'] }, changes: ['src/util.ts#FACTOR:modified'] },
    );
  });

  it('ignores comment, whitespace and formatting edits', async () => {
    const reformatted = util
      .replace('/** Clips a value to [0, hi]. */', '// Clips, now documented differently.')
      .replace('return Math.max(0, Math.min(x, hi));', "return Math.max(\n    0,\n    Math.min(x, hi),\n  )")
      .replace('export const CLIP_MAX = 50;', 'export const CLIP_MAX = 50 // no semicolon');
    await checkImpact({ base, config, worktree: { 'src/util.ts': reformatted } }, { features: {}, changes: [] });
  });

  it('treats a changed string literal as a change but its quote style as formatting', async () => {
    const b = { 'src/f.ts': `export const LABEL = 'a';\nexport function f(r: any) { return r.x === LABEL ? 1 : 0; }\n` };
    const cfg = { features: { f: { source: 'src/f.ts#f' } } };
    await checkImpact({ base: b, config: cfg, worktree: { 'src/f.ts': b['src/f.ts'].replace("'a'", '"a"') } }, { features: {}, changes: [] });
    await checkImpact({ base: b, config: cfg, worktree: { 'src/f.ts': b['src/f.ts'].replace("'a'", "'b'") } }, { features: { f: ['LABEL'] } });
  });

  it('does not report features an edit does not reach', async () => {
    await checkImpact(
      { base, config, worktree: { 'src/util.ts': util.replace('UNUSED = 1', 'UNUSED = 2') } },
      { features: {}, changes: ['src/util.ts#UNUSED:modified'] },
    );
  });

  it('resolves namespace imports member by member', async () => {
    const b = {
      'src/util.ts': util,
      'src/ns.ts': `import * as u from './util';\nexport function viaNs(r: { d: number }) { return u.clip(r.d); }\n`,
    };
    const cfg = { features: { via_ns: { source: 'src/ns.ts#viaNs' } } };
    await checkImpact({ base: b, config: cfg, worktree: { 'src/util.ts': util.replace('UNUSED = 1', 'UNUSED = 2') } }, { features: {} });
    await checkImpact({ base: b, config: cfg, worktree: { 'src/util.ts': util.replace('CLIP_MAX = 50', 'CLIP_MAX = 5') } }, { features: { via_ns: ['CLIP_MAX', 'clip'] } });
  });

  it('follows re-exports through barrel files (named, star and namespace)', async () => {
    const b = {
      'src/lib/util.ts': util,
      'src/lib/index.ts': `export { clip as clamp } from './util';\nexport * from './util';\nexport * as all from './util';\n`,
      'src/a.ts': `import { clamp, scale } from './lib';\nexport function a(r: { d: number }) { return clamp(r.d) + scale(1); }\n`,
      'src/b.ts': `import { all } from './lib/index';\nexport function b(r: { d: number }) { return all.UNUSED + r.d; }\n`,
    };
    const cfg = { features: { a: { source: 'src/a.ts#a' }, b: { source: 'src/b.ts#b' } } };
    await checkImpact({ base: b, config: cfg, worktree: { 'src/lib/util.ts': util.replace('FACTOR = 2', 'FACTOR = 4') } }, { features: { a: ['FACTOR', 'scale'], b: ['FACTOR', 'scale'] } });
  });

  it('follows default exports and a feature that is itself a re-export', async () => {
    const b = {
      'src/impl.ts': `const K = 3;\nexport default function impl(r: { d: number }) { return r.d * K; }\n`,
      'src/public.ts': `import impl from './impl';\nexport { impl as feature };\nexport { default as direct } from './impl';\n`,
    };
    const cfg = { features: { via_alias: { source: 'src/public.ts#feature' }, via_reexport: { source: 'src/public.ts#direct' } } };
    await checkImpact({ base: b, config: cfg, worktree: { 'src/impl.ts': b['src/impl.ts'].replace('K = 3', 'K = 4') } }, { features: { via_alias: ['K'], via_reexport: ['K'] } });
  });

  it('follows classes, enums and object members used by a feature', async () => {
    const b = {
      'src/m.ts': `export enum Tier { Low = 1, High = 2 }\nexport class Scaler { factor = 2; apply(x: number) { return x * this.factor; } }\nconst table = { low: Tier.Low };\nexport function f(r: { x: number }) { return new Scaler().apply(r.x) + table.low; }\n`,
    };
    const cfg = { features: { f: { source: 'src/m.ts#f' } } };
    await checkImpact({ base: b, config: cfg, worktree: { 'src/m.ts': b['src/m.ts'].replace('Low = 1', 'Low = 0') } }, { features: { f: ['Tier', 'table'] } });
    await checkImpact({ base: b, config: cfg, worktree: { 'src/m.ts': b['src/m.ts'].replace('factor = 2', 'factor = 3') } }, { features: { f: ['Scaler'] } });
  });

  it('treats a helper moved to another file, with imports updated, as no change to the feature', async () => {
    const moved = {
      'src/util.ts': util.replace(/\/\*\* Clips[\s\S]*?\n}\n/, '').replace('export const CLIP_MAX = 50;', 'export const CLIP_MAX = 50;'),
      'src/clip.ts': `import { CLIP_MAX } from './util';\n/** Clips a value to [0, hi]. */\nexport function clip(x: number, hi = CLIP_MAX): number {\n  return Math.max(0, Math.min(x, hi));\n}\n`,
      'src/activity.ts': activity.replace("import { clip } from './util';", "import { clip } from './clip';"),
    };
    await checkImpact({ base, config, worktree: moved }, { features: {}, changes: ['src/clip.ts#clip:moved'] });
  });

  it('ignores type-only edits', async () => {
    const b = { 'src/t.ts': `export interface Row { d: number }\nexport type Out = number;\nexport function f(r: Row): Out { return r.d; }\n` };
    const cfg = { features: { f: { source: 'src/t.ts#f' } } };
    await checkImpact(
      { base: b, config: cfg, worktree: { 'src/t.ts': b['src/t.ts'].replace('d: number }', 'd: number; e?: string }') } },
      { features: {}, changes: ['src/t.ts#Row:modified'] },
    );
  });

  it('reports a file that does not parse and still analyzes the rest', async () => {
    const b = { ...base, 'src/other.ts': `export function o(r: { d: number }) { return r.d; }\n` };
    const cfg = { features: { ...config.features, o: { source: 'src/other.ts#o' } } };
    const report = await checkImpact(
      { base: b, config: cfg, worktree: { 'src/other.ts': 'export function o(r: { d: number }) { return r.d +; }\n', 'src/util.ts': util.replace('CLIP_MAX = 50', 'CLIP_MAX = 9') } },
      { features: { recency_days: ['CLIP_MAX', 'clip'], o: { verdict: 'broken' } }, findings: ['code.syntax'] },
    );
    assert.equal(report.findings[0].location?.file, 'src/other.ts');
    assert.equal(report.findings[0].location?.line, 1);
  });

  it('reports a vanished feature export as source.missing', async () => {
    const report = await checkImpact(
      { base, config, worktree: { 'src/activity.ts': activity.replace('export function scaledDays', 'function scaledDays') } },
      { features: { scaled_days: { verdict: 'broken' } }, findings: ['source.missing'] },
    );
    assert.match(report.features[0].findings[0].message, /no longer exports "scaledDays"/);
  });

  it('reports a deleted feature file as source.missing', async () => {
    await checkImpact(
      { base, config, worktree: { 'src/activity.ts': null } },
      { features: { recency_days: { verdict: 'broken' }, scaled_days: { verdict: 'broken' } }, findings: ['source.missing', 'source.missing'] },
    );
  });

  it('compares HEAD with the index under --staged, and with the working tree otherwise', async () => {
    const fx = {
      base,
      config,
      staged: { 'src/util.ts': util.replace('CLIP_MAX = 50', 'CLIP_MAX = 70') },
      worktree: { 'src/util.ts': util.replace('CLIP_MAX = 50', 'CLIP_MAX = 70').replace('FACTOR = 2', 'FACTOR = 5') },
    };
    await checkImpact({ ...fx, useStaged: true }, { features: { recency_days: ['CLIP_MAX', 'clip'] } });
    await checkImpact(fx, { features: { recency_days: ['CLIP_MAX', 'clip'], scaled_days: ['FACTOR', 'scale'] } });
  });

  it('sees untracked files in the working tree', async () => {
    await checkImpact(
      { base, config, worktree: { 'src/newUtil.ts': 'export const N = 1;\n', 'src/activity.ts': activity.replace("import { clip } from './util';", "import { clip } from './util';\nimport { N } from './newUtil';").replace('clip(row.days)', 'clip(row.days) + N') } },
      { features: { recency_days: [] }, changes: ['src/activity.ts#recencyDays:modified', 'src/newUtil.ts#N:added'] },
    );
  });

  it('discovers @feature tags, and the config wins over a tag of the same name', async () => {
    const b = {
      'src/tagged.ts': `const RATE = 2;\n/**\n * Doubles spend.\n * @feature spend_x2\n */\nexport const spendX2 = (r: { spend: number }) => r.spend * RATE;\n`,
    };
    await checkImpact({ base: b, config: { features: {} }, worktree: { 'src/tagged.ts': b['src/tagged.ts'].replace('RATE = 2', 'RATE = 3') } }, { features: { spend_x2: ['RATE'] } });
  });

  it('treats every feature as new in a repository without commits', async () => {
    await checkImpact({ config, worktree: base }, { features: { recency_days: { verdict: 'new' }, scaled_days: { verdict: 'new' } } });
  });
});
