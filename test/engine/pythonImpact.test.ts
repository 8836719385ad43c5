/** Static impact (SPEC §3, §9) of Python feature code, over real git repositories with real packages. */
import { strict as assert } from 'node:assert';
import { removeTempDirs } from '../helpers';
import { checkImpact, impactOf } from './impactFixture';

const util = `"""Shared helpers for the churn features."""
import math

RECENCY_CAP_DAYS = 90
DAYS_PER_MONTH = 30.44
LO, HI = 0, 10_000


def clip(x, lo=LO, hi=RECENCY_CAP_DAYS):
    """Limits a value to [lo, hi]."""
    return min(max(x, lo), hi)


def safe_div(n, d):
    return 0.0 if d == 0 else n / d


def months(days):
    return math.floor(days / DAYS_PER_MONTH)
`;
const customer = `from .util import clip, safe_div as div
from . import util


def monthly_spend(row):
    return clip(row["monthly_spend"], 0, 10_000)


def spend_per_session(row):
    return div(monthly_spend(row), row["sessions_30d"])


def tenure_months(row):
    return util.months(row["tenure_days"])
`;
const activity = `import churn.util as u
from churn.util import clip


# @feature recency_days
def recency_days(row):
    return clip(row["days_since_last_login"])


def sessions_per_week(row):
    return round(row["sessions_30d"] / 30 * 7, 2)


def cap(row):
    return u.RECENCY_CAP_DAYS
`;
const base = {
  'src/churn/__init__.py': 'from .customer import monthly_spend, spend_per_session\nfrom .activity import *\n',
  'src/churn/util.py': util,
  'src/churn/customer.py': customer,
  'src/churn/activity.py': activity,
};
const config = {
  python: { paths: ['src'] },
  features: {
    spend_usd: { source: 'src/churn/customer.py#monthly_spend', consumers: ['churn_model_v3'] },
    spend_per_session: { source: 'src/churn/customer.py#spend_per_session' },
    tenure_months: { source: 'src/churn/customer.py#tenure_months' },
    sessions_per_week: { source: 'src/churn/activity.py#sessions_per_week' },
    recency_cap: { source: 'src/churn/activity.py#cap' },
  },
};

describe('impact: Python feature code', () => {
  after(removeTempDirs);

  it('reports an edit of the feature function itself, and what calls it', async () => {
    const report = await checkImpact(
      { base, config, worktree: { 'src/churn/customer.py': customer.replace('0, 10_000)', '0, 5_000)') } },
      { features: { spend_usd: [], spend_per_session: ['monthly_spend'] }, changes: ['src/churn/customer.py#monthly_spend:modified'] },
    );
    const spend = report.features.find((f) => f.name === 'spend_usd')!;
    assert.deepEqual(spend.location, { file: 'src/churn/customer.py', line: 5, column: 5 });
    assert.equal(spend.kind, 'row');
    assert.deepEqual(spend.consumers, ['churn_model_v3']);
  });

  it('follows a constant through a default parameter value, across a relative import and an absolute one', async () => {
    await checkImpact(
      { base, config, worktree: { 'src/churn/util.py': util.replace('RECENCY_CAP_DAYS = 90', 'RECENCY_CAP_DAYS = 60') } },
      {
        features: { recency_days: ['RECENCY_CAP_DAYS', 'clip'], spend_usd: ['RECENCY_CAP_DAYS', 'clip'], spend_per_session: ['RECENCY_CAP_DAYS', 'clip', 'monthly_spend'], recency_cap: ['RECENCY_CAP_DAYS'] },
        changes: ['src/churn/util.py#RECENCY_CAP_DAYS:modified'],
      },
    );
  });

  it('follows a constant three calls away through module.attr (from . import util) and an aliased import', async () => {
    await checkImpact(
      { base, config, worktree: { 'src/churn/util.py': util.replace('DAYS_PER_MONTH = 30.44', 'DAYS_PER_MONTH = 30.0') } },
      { features: { tenure_months: ['DAYS_PER_MONTH', 'months'] }, changes: ['src/churn/util.py#DAYS_PER_MONTH:modified'] },
    );
    await checkImpact(
      { base, config, worktree: { 'src/churn/util.py': util.replace('return 0.0 if d == 0', 'return 1.0 if d == 0') } },
      { features: { spend_per_session: ['safe_div'] }, changes: ['src/churn/util.py#safe_div:modified'] },
    );
  });

  it('counts one name of a tuple assignment: LO, HI = … is one statement that declares both', async () => {
    await checkImpact(
      { base, config, worktree: { 'src/churn/util.py': util.replace('LO, HI = 0, 10_000', 'LO, HI = 1, 10_000') } },
      {
        features: { recency_days: ['LO', 'clip'], spend_usd: ['LO', 'clip'], spend_per_session: ['LO', 'clip', 'monthly_spend'] },
        changes: ['src/churn/util.py#LO:modified', 'src/churn/util.py#HI:modified'],
      },
    );
  });

  it('treats comments, docstrings, blank lines, line continuations, quotes, parentheses and trailing commas as no change', async () => {
    const reformatted = `"""Shared helpers — now with a longer module docstring."""
import math

# The cap, in days.
RECENCY_CAP_DAYS = (90)
DAYS_PER_MONTH = 30.44
LO, HI = (
    0,
    10_000,
)


def clip(
    x,
    lo=LO,
    hi=RECENCY_CAP_DAYS,
):
    '''Limits a value to [lo, hi] — reworded.'''
    # Python's builtins do it.
    return min(max(x, lo),
               hi)


def safe_div(n, d):
    return 0.0 if d == 0 \\
        else n / d


def months(days):

    return math.floor(days / DAYS_PER_MONTH)
`;
    await checkImpact({ base, config, worktree: { 'src/churn/util.py': reformatted } }, { features: {}, changes: [] });
    await checkImpact(
      { base, config, worktree: { 'src/churn/activity.py': activity.replace('round(row["sessions_30d"]', "round(row['sessions_30d']") } },
      { features: {}, changes: [] },
    );
  });

  it('sees a statement moved into a block as a change although every token is the same', async () => {
    const before = 'def f(row):\n    x = row["a"]\n    if x:\n        x = 1\n    return x\n';
    const after = 'def f(row):\n    x = row["a"]\n    if x:\n        x = 1\n        return x\n';
    await checkImpact(
      { base: { 'f.py': before }, config: { features: { f: { source: 'f.py#f' } } }, worktree: { 'f.py': after } },
      { features: { f: [] }, changes: ['f.py#f:modified'] },
    );
  });

  it('counts a helper moved to another module (importers updated) as no change', async () => {
    const utilWithoutSafeDiv = util.replace(/def safe_div[\s\S]*?n \/ d\n\n\n/, '');
    assert.notEqual(utilWithoutSafeDiv, util);
    await checkImpact(
      {
        base,
        config,
        worktree: {
          'src/churn/util.py': utilWithoutSafeDiv,
          'src/churn/maths.py': 'def safe_div(n, d):\n    return 0.0 if d == 0 else n / d\n',
          'src/churn/customer.py': customer.replace('from .util import clip, safe_div as div', 'from .util import clip\nfrom .maths import safe_div as div'),
        },
      },
      { features: {}, changes: ['src/churn/maths.py#safe_div:moved'] },
    );
  });

  it('follows re-exports through __init__.py and star imports, honouring __all__', async () => {
    const files = {
      ...base,
      'src/app/__init__.py': '',
      'src/app/features.py': 'from churn import monthly_spend, sessions_per_week\nfrom churn.util import *\n\ndef spend2(row):\n    return monthly_spend(row) * 2\n\ndef weekly(row):\n    return sessions_per_week(row)\n\ndef capped(row):\n    return clip(row["x"])\n\ndef private(row):\n    return _hidden()\n',
    };
    const cfg = { ...config, features: { spend2: { source: 'src/app/features.py#spend2' }, weekly: { source: 'src/app/features.py#weekly' }, capped: { source: 'src/app/features.py#capped' } } };
    await checkImpact(
      { base: files, config: cfg, worktree: { 'src/churn/customer.py': customer.replace('0, 10_000)', '0, 5_000)') } },
      { features: { spend2: ['monthly_spend'] } },
    );
    // `from .activity import *` in churn/__init__.py re-exports sessions_per_week (no __all__: every public name).
    await checkImpact(
      { base: files, config: cfg, worktree: { 'src/churn/activity.py': activity.replace('/ 30 * 7', '/ 30.0 * 7') } },
      { features: { weekly: ['sessions_per_week'] } },
    );
    // With __all__, a star import binds only the names it lists.
    const withAll = { ...files, 'src/churn/util.py': `__all__ = ["safe_div"]\n${util}` };
    await checkImpact(
      { base: withAll, config: cfg, worktree: { 'src/churn/util.py': `__all__ = ["safe_div"]\n${util.replace('hi=RECENCY_CAP_DAYS', 'hi=DAYS_PER_MONTH')}` } },
      { features: { spend2: ['clip', 'monthly_spend'], recency_days: ['clip'] } },
    );
    await checkImpact(
      { base: files, config: cfg, worktree: { 'src/churn/util.py': util.replace('hi=RECENCY_CAP_DAYS', 'hi=DAYS_PER_MONTH') } },
      { features: { spend2: ['clip', 'monthly_spend'], recency_days: ['clip'], capped: ['clip'] } },
    );
  });

  it('resolves relative imports at several levels and `import a.b.c as x` / `import a.b.c`', async () => {
    const files = {
      'pkg/__init__.py': '',
      'pkg/core/__init__.py': '',
      'pkg/core/consts.py': 'FACTOR = 2\nOTHER = 3\n',
      'pkg/deep/__init__.py': '',
      'pkg/deep/er/__init__.py': '',
      'pkg/deep/er/feats.py': 'from ...core.consts import FACTOR\nfrom ... import core\nimport pkg.core.consts as c\nimport pkg.core.consts\n\ndef a(row):\n    return row["x"] * FACTOR\n\ndef b(row):\n    return c.OTHER\n\ndef d(row):\n    return pkg.core.consts.OTHER + 1\n\ndef e(row):\n    return core.consts.FACTOR\n',
    };
    const cfg = { features: { a: { source: 'pkg/deep/er/feats.py#a' }, b: { source: 'pkg/deep/er/feats.py#b' }, d: { source: 'pkg/deep/er/feats.py#d' }, e: { source: 'pkg/deep/er/feats.py#e' } } };
    await checkImpact({ base: files, config: cfg, worktree: { 'pkg/core/consts.py': 'FACTOR = 2\nOTHER = 4\n' } }, { features: { b: ['OTHER'], d: ['OTHER'] } });
    await checkImpact({ base: files, config: cfg, worktree: { 'pkg/core/consts.py': 'FACTOR = 5\nOTHER = 3\n' } }, { features: { a: ['FACTOR'] } });
  });

  it('resolves namespace packages (no __init__.py) and prefers a .py over its .pyi stub', async () => {
    const files = {
      'src/ns/helpers.py': 'SCALE = 3\n',
      'src/ns/helpers.pyi': 'SCALE: int\n',
      'src/ns/feats.py': 'from ns.helpers import SCALE\nfrom ns import helpers\n\ndef f(row):\n    return row["x"] * SCALE\n\ndef g(row):\n    return helpers.SCALE\n',
      'src/stubbed.pyi': 'from ns.helpers import SCALE as SCALE\n',
      'src/uses_stub.py': 'from stubbed import SCALE\n\ndef h(row):\n    return SCALE\n',
    };
    const cfg = { python: { paths: ['src'] }, features: { f: { source: 'src/ns/feats.py#f' }, g: { source: 'src/ns/feats.py#g' }, h: { source: 'src/uses_stub.py#h' } } };
    await checkImpact({ base: files, config: cfg, worktree: { 'src/ns/helpers.py': 'SCALE = 4\n' } }, { features: { f: ['SCALE'], g: ['SCALE'], h: ['SCALE'] } });
    // The stub is never run: editing it changes no feature.
    await checkImpact({ base: files, config: cfg, worktree: { 'src/ns/helpers.pyi': 'SCALE: float\n' } }, { features: {} });
  });

  it('follows both branches of try/except ImportError, and ignores imports under TYPE_CHECKING', async () => {
    const files = {
      'fast.py': 'def helper(x):\n    return x * 2\n',
      'slow.py': 'def helper(x):\n    return x + x\n',
      'types_only.py': 'class Row(dict):\n    pass\n',
      'feats.py': `from typing import TYPE_CHECKING
try:
    from fast import helper
except ImportError:
    from slow import helper

if TYPE_CHECKING:
    from types_only import Row


def doubled(row: "Row"):
    return helper(row["x"])
`,
    };
    const cfg = { features: { doubled: { source: 'feats.py#doubled' } } };
    await checkImpact({ base: files, config: cfg, worktree: { 'fast.py': 'def helper(x):\n    return x * 3\n' } }, { features: { doubled: ['helper'] } });
    await checkImpact({ base: files, config: cfg, worktree: { 'slow.py': 'def helper(x):\n    return x + x + x\n' } }, { features: { doubled: ['helper'] } });
    await checkImpact({ base: files, config: cfg, worktree: { 'types_only.py': 'class Row(dict):\n    extra = 1\n' } }, { features: {} });
  });

  it('treats a class as one declaration, decorators and their arguments as part of the function', async () => {
    const files = {
      'feats.py': `import functools

WINDOW = 7


class Scaler:
    factor = 2

    def apply(self, x):
        return x * self.factor


def registered(window):
    def wrap(fn):
        return fn
    return wrap


@registered(window=WINDOW)
def scaled(row):
    return Scaler().apply(row["x"])


@functools.lru_cache(maxsize=None)
def plain(row):
    return row["x"]
`,
    };
    const cfg = { features: { scaled: { source: 'feats.py#scaled' }, plain: { source: 'feats.py#plain' } } };
    const file = files['feats.py'];
    await checkImpact({ base: files, config: cfg, worktree: { 'feats.py': file.replace('factor = 2', 'factor = 3') } }, { features: { scaled: ['Scaler'] }, changes: ['feats.py#Scaler:modified'] });
    await checkImpact({ base: files, config: cfg, worktree: { 'feats.py': file.replace('WINDOW = 7', 'WINDOW = 14') } }, { features: { scaled: ['WINDOW'] } });
    await checkImpact({ base: files, config: cfg, worktree: { 'feats.py': file.replace('maxsize=None', 'maxsize=128') } }, { features: { plain: [] }, changes: ['feats.py#plain:modified'] });
  });

  it('follows imports made inside a function body', async () => {
    const files = {
      'helpers.py': 'def scale(x):\n    return x * 2\n\nOTHER = 1\n',
      'pkg/__init__.py': '',
      'pkg/consts.py': 'K = 3\n',
      'feats.py': 'def f(row):\n    from helpers import scale\n    return scale(row["x"])\n\n\ndef g(row):\n    import pkg.consts\n    return pkg.consts.K\n\n\ndef h(row):\n    return row["x"]\n',
    };
    const cfg = { features: { f: { source: 'feats.py#f' }, g: { source: 'feats.py#g' }, h: { source: 'feats.py#h' } } };
    await checkImpact({ base: files, config: cfg, worktree: { 'helpers.py': files['helpers.py'].replace('x * 2', 'x * 3') } }, { features: { f: ['scale'] } });
    await checkImpact({ base: files, config: cfg, worktree: { 'pkg/consts.py': 'K = 4\n' } }, { features: { g: ['K'] } });
  });

  it('attaches module-level mutations to the name they mutate (REGISTRY[k] = …, CONFIG.update(…))', async () => {
    const files = { 'feats.py': 'CONFIG = {"scale": 2}\nCONFIG.update(scale=3)\n\ndef f(row):\n    return row["x"] * CONFIG["scale"]\n' };
    const cfg = { features: { f: { source: 'feats.py#f' } } };
    await checkImpact({ base: files, config: cfg, worktree: { 'feats.py': files['feats.py'].replace('scale=3', 'scale=4') } }, { features: { f: ['CONFIG'] }, changes: ['feats.py#CONFIG:modified'] });
  });

  it('links Hamilton functions through their parameters and Feast views through their decorator', async () => {
    const files = {
      'dataflow.py': `import pandas as pd


def spend_mean(spend: pd.Series) -> float:
    return spend.mean()


def spend_z(spend: pd.Series, spend_mean: float) -> pd.Series:
    return spend - spend_mean
`,
      'odfv.py': `from feast import Field, on_demand_feature_view
from feast.types import Float64
from sources import driver_stats

@on_demand_feature_view(sources=[driver_stats], schema=[Field(name="conv_rate_plus", dtype=Float64)])
def conv_plus(inputs):
    return inputs
`,
      'sources.py': 'driver_stats = "driver_hourly_stats"\n',
    };
    const cfg = { features: { spend_z: { source: 'dataflow.py#spend_z' }, conv_rate_plus: { source: 'odfv.py#conv_plus' } } };
    const report = await checkImpact(
      { base: files, config: cfg, worktree: { 'dataflow.py': files['dataflow.py'].replace('spend.mean()', 'spend.median()') } },
      { features: { spend_z: ['spend_mean'] } },
    );
    assert.equal(report.features[0].kind, 'hamilton');
    const feast = await checkImpact({ base: files, config: cfg, worktree: { 'sources.py': 'driver_stats = "driver_daily_stats"\n' } }, { features: { conv_rate_plus: ['driver_stats'] } });
    assert.equal(feast.features[0].kind, 'feast');
  });

  it('detects each form, and a form it cannot tell is a one-line config error naming the key', async () => {
    const files = {
      'forms.py': `import pandas as pd


def by_row(row):
    return row["x"]


def by_record(record: dict) -> float:
    return record["x"]


def by_batch(rows: list[dict]) -> list:
    return [r["x"] for r in rows]


def by_series(df: pd.DataFrame) -> pd.Series:
    return df["x"]


def by_frame(df) -> pd.DataFrame:
    return df.assign(y=1)


def unclear(a, b):
    return a
`,
    };
    const names = ['by_row', 'by_record', 'by_batch', 'by_series', 'by_frame'];
    const cfg = { features: Object.fromEntries(names.map((n) => [n, { source: `forms.py#${n}` }])) };
    const report = await impactOf({ base: files, config: cfg, worktree: { 'forms.py': files['forms.py'].replace(/"x"/g, '"z"').replace('y=1', 'y=2') } });
    const kinds = Object.fromEntries(report.features.map((f) => [f.name, f.kind]));
    assert.deepEqual(kinds, { by_row: 'row', by_record: 'row', by_batch: 'batch', by_series: 'series', by_frame: 'frame' });

    const bad = { features: { unclear: { source: 'forms.py#unclear' } } };
    await assert.rejects(impactOf({ base: files, config: bad }), (err: Error) => {
      assert.equal(err.message, 'featureguard.json: features.unclear.kind is needed: the code of forms.py#unclear(a, b) does not say how it is called (set it to one of "row", "batch", "series", "frame", "feast", "hamilton")');
      return true;
    });
    const given = { features: { unclear: { source: 'forms.py#unclear', kind: 'batch' } } };
    const ok = await impactOf({ base: files, config: given, worktree: { 'forms.py': files['forms.py'].replace('return a\n', 'return b\n') } });
    assert.equal(ok.features[0].kind, 'batch');
  });

  it('finds @feature tags in docstrings and in comments above the def or its decorators', async () => {
    const files = {
      'tags.py': `import functools

def from_doc(row):
    """Spend in dollars.

    @feature spend_doc
    @snapshot customers
    """
    return row["x"]


# Days since the last login.
# @feature recency_comment
@functools.cache
def from_comment(row):
    return row["y"]
`,
      'data.csv': 'x,y\n1,2\n',
    };
    const cfg = { snapshots: { customers: { path: 'data.csv' } }, features: {} };
    const report = await impactOf({ base: files, config: cfg, worktree: { 'tags.py': files['tags.py'].replace('row["x"]', 'row["x"] + 1').replace('row["y"]', 'row["y"] + 1') } });
    const got = Object.fromEntries(report.features.map((f) => [f.name, [f.source, f.snapshot, f.kind]]));
    assert.deepEqual(got, { spend_doc: ['tags.py#from_doc', 'customers', 'row'], recency_comment: ['tags.py#from_comment', undefined, 'row'] });
  });

  it('reports a .py that does not parse as code.syntax with line and column, and the rest of the analysis goes on', async () => {
    const report = await checkImpact(
      {
        base,
        config,
        worktree: {
          'src/churn/activity.py': activity.replace('return u.RECENCY_CAP_DAYS', 'return u.RECENCY_CAP_DAYS +'),
          'src/churn/customer.py': customer.replace('0, 10_000)', '0, 5_000)'),
        },
      },
      { features: { spend_usd: [], spend_per_session: ['monthly_spend'], recency_cap: { verdict: 'broken' } }, findings: ['code.syntax'] },
    );
    const syntax = report.findings[0];
    assert.equal(syntax.location!.file, 'src/churn/activity.py');
    assert.equal(syntax.location!.line, 15);
    assert.match(syntax.message, /^src\/churn\/activity\.py does not parse: /);
  });

  it('follows circular imports without looping', async () => {
    const files = {
      'a.py': 'import b\n\nK = 1\n\ndef fa(row):\n    return b.fb(row) + K\n',
      'b.py': 'import a\n\ndef fb(row):\n    return a.K * 2\n',
    };
    const cfg = { features: { fa: { source: 'a.py#fa' } } };
    await checkImpact({ base: files, config: cfg, worktree: { 'a.py': files['a.py'].replace('K = 1', 'K = 2') } }, { features: { fa: ['K'] } });
  });

  it('reads UTF-8 with a byte order mark and CRLF line endings like any other file', async () => {
    const text = 'SCALE = 2\n\n\ndef f(row):\n    """Doc."""\n    return row["x"] * SCALE\n';
    const crlf = '\ufeff' + text.replace(/\n/g, '\r\n');
    const files = { 'f.py': crlf };
    const cfg = { features: { f: { source: 'f.py#f' } } };
    // The same code with LF endings and no BOM is no change; a real edit is one.
    await checkImpact({ base: files, config: cfg, worktree: { 'f.py': text } }, { features: {}, changes: [] });
    const report = await checkImpact({ base: files, config: cfg, worktree: { 'f.py': crlf.replace('SCALE = 2', 'SCALE = 3') } }, { features: { f: ['SCALE'] } });
    assert.deepEqual(report.features[0].location, { file: 'f.py', line: 4, column: 5 });
  });

  it('analyzes a 5 MB generated module', async () => {
    const lines: string[] = [];
    for (let i = 0, size = 0; size < 5_000_000; i++) {
      lines.push(`filler_${i} = ${i} * 2`);
      size += lines[i].length + 1;
    }
    const big = `${lines.join('\n')}\n\ndef f(row):\n    return row["x"] + filler_7\n`;
    assert.ok(big.length > 5_000_000);
    const cfg = { features: { f: { source: 'big.py#f' } } };
    await checkImpact({ base: { 'big.py': big }, config: cfg, worktree: { 'big.py': big.replace('filler_7 = 7 * 2', 'filler_7 = 7 * 3') } }, { features: { f: ['filler_7'] }, changes: ['big.py#filler_7:modified'] });
  });

  it('mixes TypeScript and Python features in one config', async () => {
    const files = { 'src/a.ts': 'export function a(row: { x: number }): number { return row.x; }\n', 'py/b.py': 'def b(row):\n    return row["x"]\n' };
    const cfg = { features: { a: { source: 'src/a.ts#a' }, b: { source: 'py/b.py#b' } } };
    await checkImpact(
      { base: files, config: cfg, worktree: { 'src/a.ts': files['src/a.ts'].replace('row.x', 'row.x + 1'), 'py/b.py': files['py/b.py'].replace('row["x"]', 'row["x"] + 1') } },
      { features: { a: [], b: [] } },
    );
  });
});
