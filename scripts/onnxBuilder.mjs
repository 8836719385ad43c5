// Writes small, real ONNX models from plain numbers, with the `onnx-proto` package (no Python
// toolchain): the example's churn model, the tests' models and the benchmark's tree ensemble. Each
// builder returns the model's bytes (`Uint8Array`), ready for `fs.writeFileSync`.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

const TYPES = { float: T.FLOAT, double: T.DOUBLE, int64: T.INT64, string: T.STRING, int32: T.INT32, bool: T.BOOL };

/** A tensor type with a symbolic batch dimension `N` (`null` in `dims` is symbolic too). */
function valueInfo(name, type, dims) {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: TYPES[type], shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d ?? 'N' })) } } },
  });
}

function tensor(name, type, dims, values) {
  const t = { name, dataType: TYPES[type], dims };
  if (type === 'float') t.floatData = values;
  else if (type === 'double') t.doubleData = values;
  else if (type === 'int64') t.int64Data = values;
  else if (type === 'string') t.stringData = values.map((s) => new TextEncoder().encode(s));
  return onnx.TensorProto.create(t);
}

function attr(name, value) {
  if (typeof value === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return Number.isInteger(value) ? { name, type: A.INT, i: value } : { name, type: A.FLOAT, f: value };
  if (value && 'float' in value) return { name, type: A.FLOAT, f: value.float };
  if (value && value.floats) return { name, type: A.FLOATS, floats: value.floats };
  if (value && value.ints) return { name, type: A.INTS, ints: value.ints };
  if (value && value.strings) return { name, type: A.STRINGS, strings: value.strings.map((s) => new TextEncoder().encode(s)) };
  throw new Error(`attribute ${name}: unsupported value`);
}

function node(opType, inputs, outputs, attributes = {}, domain = '') {
  return onnx.NodeProto.create({ opType, input: inputs, output: outputs, domain, attribute: Object.entries(attributes).map(([k, v]) => attr(k, v)) });
}

/** A model from graph parts; `ml` adds the `ai.onnx.ml` operator set. */
export function model({ nodes, inputs, outputs, initializers = [], ml = false, name = 'featureguard-test' }) {
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'featureguard onnxBuilder',
    opsetImport: [{ domain: '', version: 17 }, ...(ml ? [{ domain: 'ai.onnx.ml', version: 3 }] : [])],
    graph: { name, node: nodes, input: inputs, output: outputs, initializer: initializers },
  });
  return onnx.ModelProto.encode(proto).finish();
}

/**
 * Logistic regression: p = sigmoid(x · w + b), output `probability` [N, 1].
 * `input: 'matrix'` takes one [N, k] input named `inputName`; `input: 'columns'` takes one [N, 1]
 * input per name in `columns` (concatenated in that order). `extraInitializer` (an array of
 * values, or `{ zeros: n }` for n zero floats as raw bytes) makes the file big without changing
 * the output.
 */
export function logisticRegression({ weights, bias, input = 'matrix', inputName = 'float_input', columns = [], type = 'float', outputName = 'probability', extraInitializer }) {
  const k = weights.length;
  const nodes = [];
  const inputs = [];
  let x = inputName;
  if (input === 'matrix') inputs.push(valueInfo(inputName, type, [null, k]));
  else {
    if (columns.length !== k) throw new Error('one column per weight');
    for (const c of columns) inputs.push(valueInfo(c, type, [null, 1]));
    x = 'x_concat';
    nodes.push(node('Concat', columns, [x], { axis: 1 }));
  }
  const initializers = [tensor('__w', type, [k, 1], weights), tensor('__b', type, [1], [bias])];
  nodes.push(node('MatMul', [x, '__w'], ['xw']));
  let z = 'z';
  nodes.push(node('Add', ['xw', '__b'], [z]));
  if (extraInitializer) {
    // A large constant folded into the output (times zero): a model whose file is big.
    // `{ zeros: n }` writes n zero floats as raw bytes (fast at any size); an array writes its values.
    if ('zeros' in extraInitializer) initializers.push(onnx.TensorProto.create({ name: 'big', dataType: TYPES[type], dims: [extraInitializer.zeros], rawData: new Uint8Array(extraInitializer.zeros * 4) }));
    else initializers.push(tensor('big', type, [extraInitializer.length], extraInitializer));
    nodes.push(node('ReduceSum', ['big'], ['big_sum'], { keepdims: 0 }), node('Mul', ['big_sum', 'zero'], ['big_zero']), node('Add', ['z', 'big_zero'], ['z2']));
    initializers.push(tensor('zero', type, [], [0]));
    z = 'z2';
  }
  nodes.push(node('Sigmoid', [z], [outputName]));
  return model({ nodes, inputs, outputs: [valueInfo(outputName, type, [null, 1])], initializers });
}

/** Linear regression y = x · w + b on one [N, k] input, output `variable` [N, 1]. */
export function linearRegression({ weights, bias, inputName = 'float_input', type = 'float' }) {
  const k = weights.length;
  return model({
    nodes: [node('MatMul', [inputName, '__w'], ['xw']), node('Add', ['xw', '__b'], ['variable'])],
    inputs: [valueInfo(inputName, type, [null, k])],
    outputs: [valueInfo('variable', type, [null, 1])],
    initializers: [tensor('__w', type, [k, 1], weights), tensor('__b', type, [1], [bias])],
  });
}

/**
 * Trees as `{ feature, threshold, left, right }` (x[feature] <= threshold goes left) with leaves
 * `{ value }` (a regressor's value, or a classifier's score for class 1), flattened to the
 * `ai.onnx.ml` tree attributes.
 */
function flattenTrees(trees) {
  const n = { treeids: [], nodeids: [], featureids: [], values: [], modes: [], truenodeids: [], falsenodeids: [], hitrates: [], missing: [] };
  const leaves = [];
  trees.forEach((tree, treeId) => {
    let next = 0;
    const visit = (t) => {
      const id = next++;
      const at = n.treeids.length;
      n.treeids.push(treeId); n.nodeids.push(id); n.hitrates.push(1); n.missing.push(0);
      if ('value' in t) {
        n.featureids.push(0); n.values.push(0); n.modes.push('LEAF'); n.truenodeids.push(0); n.falsenodeids.push(0);
        leaves.push({ treeId, nodeId: id, value: t.value });
        return id;
      }
      n.featureids.push(t.feature); n.values.push(t.threshold); n.modes.push('BRANCH_LEQ'); n.truenodeids.push(0); n.falsenodeids.push(0);
      n.truenodeids[at] = visit(t.left);
      n.falsenodeids[at] = visit(t.right);
      return id;
    };
    visit(tree);
  });
  const common = {
    nodes_treeids: { ints: n.treeids }, nodes_nodeids: { ints: n.nodeids }, nodes_featureids: { ints: n.featureids },
    nodes_values: { floats: n.values }, nodes_modes: { strings: n.modes }, nodes_truenodeids: { ints: n.truenodeids },
    nodes_falsenodeids: { ints: n.falsenodeids }, nodes_hitrates: { floats: n.hitrates }, nodes_missing_value_tracks_true: { ints: n.missing },
  };
  return { common, leaves };
}

/**
 * A binary tree-ensemble classifier (`TreeEnsembleClassifier`, classes 0 and 1): each leaf adds its
 * value to class 1's score, then `post_transform: LOGISTIC` makes the probabilities. Outputs
 * `label` [N] int64 and `probabilities` [N, 2], or with `zipmap` a sequence of maps
 * `output_probability` the way skl2onnx exports by default.
 */
export function treeClassifier({ trees, nFeatures, inputName = 'float_input', zipmap = false, baseValue = 0 }) {
  const { common, leaves } = flattenTrees(trees);
  const attributes = {
    ...common,
    class_treeids: { ints: leaves.map((l) => l.treeId) }, class_nodeids: { ints: leaves.map((l) => l.nodeId) },
    class_ids: { ints: leaves.map(() => 0) }, class_weights: { floats: leaves.map((l) => l.value) },
    classlabels_int64s: { ints: [0, 1] }, post_transform: 'LOGISTIC', base_values: { floats: [baseValue] },
  };
  const probs = zipmap ? 'probability_tensor' : 'probabilities';
  const nodes = [node('TreeEnsembleClassifier', [inputName], ['label', probs], attributes, 'ai.onnx.ml')];
  const outputs = [valueInfo('label', 'int64', [null])];
  if (zipmap) {
    nodes.push(node('ZipMap', [probs], ['output_probability'], { classlabels_int64s: { ints: [0, 1] } }, 'ai.onnx.ml'));
    outputs.push(onnx.ValueInfoProto.create({ name: 'output_probability', type: { sequenceType: { elemType: { mapType: { keyType: T.INT64, valueType: { tensorType: { elemType: T.FLOAT } } } } } } }));
  } else outputs.push(valueInfo('probabilities', 'float', [null, 2]));
  return model({ nodes, inputs: [valueInfo(inputName, 'float', [null, nFeatures])], outputs, ml: true });
}

/** A tree-ensemble regressor (`TreeEnsembleRegressor`, sum of leaf values), output `variable` [N, 1]. */
export function treeRegressor({ trees, nFeatures, inputName = 'float_input', baseValue = 0 }) {
  const { common, leaves } = flattenTrees(trees);
  const attributes = {
    ...common,
    target_treeids: { ints: leaves.map((l) => l.treeId) }, target_nodeids: { ints: leaves.map((l) => l.nodeId) },
    target_ids: { ints: leaves.map(() => 0) }, target_weights: { floats: leaves.map((l) => l.value) },
    n_targets: 1, aggregate_function: 'SUM', base_values: { floats: [baseValue] },
  };
  return model({
    nodes: [node('TreeEnsembleRegressor', [inputName], ['variable'], attributes, 'ai.onnx.ml')],
    inputs: [valueInfo(inputName, 'float', [null, nFeatures])],
    outputs: [valueInfo('variable', 'float', [null, 1])],
    ml: true,
  });
}

/**
 * A classifier with a string input: `LabelEncoder` maps each category of `stringInput` to a
 * weight (unknown categories: `defaultWeight`), added to `numericWeight` × `numericInput`, then a
 * sigmoid: output `probability` [N, 1].
 */
export function categoryModel({ stringInput = 'plan', categories, numericInput = 'spend', numericWeight, bias = 0, defaultWeight = 0 }) {
  const keys = Object.keys(categories);
  return model({
    nodes: [
      node('LabelEncoder', [stringInput], ['cat_w'], { keys_strings: { strings: keys }, values_floats: { floats: keys.map((k) => categories[k]) }, default_float: { float: defaultWeight } }, 'ai.onnx.ml'),
      node('Mul', [numericInput, 'nw'], ['num_w']),
      node('Add', ['cat_w', 'num_w'], ['s1']),
      node('Add', ['s1', 'b'], ['z']),
      node('Sigmoid', ['z'], ['probability']),
    ],
    inputs: [valueInfo(stringInput, 'string', [null, 1]), valueInfo(numericInput, 'float', [null, 1])],
    outputs: [valueInfo('probability', 'float', [null, 1])],
    initializers: [tensor('nw', 'float', [1], [numericWeight]), tensor('b', 'float', [1], [bias])],
    ml: true,
  });
}

/**
 * A deliberately slow model whatever the batch size: the [N, 1] input widened to H = [N, width],
 * its Gram matrix G = Hᵀ·H ([width, width]) multiplied by itself `rounds` times (width³ × rounds
 * multiply-adds, all depending on the input, so nothing is folded at load), then H·G summed to
 * [N, 1]. The values overflow; only the time matters.
 */
export function slowModel({ inputName = 'x', width = 1024, rounds = 64 }) {
  const nodes = [node('MatMul', [inputName, 'widen'], ['h']), node('Transpose', ['h'], ['ht']), node('MatMul', ['ht', 'h'], ['g0'])];
  for (let i = 0; i < rounds; i++) nodes.push(node('MatMul', [`g${i}`, 'g0'], [`g${i + 1}`]));
  nodes.push(node('MatMul', ['h', `g${rounds}`], ['hg']), node('ReduceSum', ['hg', 'axes'], ['variable'], { keepdims: 1 }));
  return model({
    nodes,
    inputs: [valueInfo(inputName, 'float', [null, 1])],
    outputs: [valueInfo('variable', 'float', [null, 1])],
    initializers: [tensor('widen', 'float', [1, width], new Array(width).fill(1)), tensor('axes', 'int64', [1], [1])],
  });
}

/**
 * A model whose run needs a lot of memory: the [N, 1] input expanded to [N, width] (4 × N × width
 * bytes) and multiplied by itself `rounds` times (each a new tensor that size), then summed to [N, 1].
 */
export function memoryHungryModel({ inputName = 'x', width = 1 << 24, rounds = 8 }) {
  const nodes = [node('Expand', [inputName, 'shape'], ['e0'])];
  for (let i = 0; i < rounds; i++) nodes.push(node('Mul', [`e${i}`, inputName], [`e${i + 1}`]));
  nodes.push(node('ReduceSum', [`e${rounds}`, 'axes'], ['variable'], { keepdims: 1 }));
  return model({
    nodes,
    inputs: [valueInfo(inputName, 'float', [null, 1])],
    outputs: [valueInfo('variable', 'float', [null, 1])],
    initializers: [tensor('shape', 'int64', [2], [1, width]), tensor('axes', 'int64', [1], [1])],
  });
}

/**
 * A classifier with its own decision threshold: `probability` = sigmoid(w·x + b) [N, 1] and a
 * `label` output (int64 [N, 1]) of 1 where the probability exceeds `threshold` (0.3, say) — a
 * model whose label disagrees with its probabilities' 0.5 on the rows in between.
 */
export function thresholdClassifier({ weight = 1, bias = 0, threshold, inputName = 'x' }) {
  return model({
    nodes: [
      node('Mul', [inputName, '__w'], ['wx']),
      node('Add', ['wx', '__b'], ['z']),
      node('Sigmoid', ['z'], ['probability']),
      node('Greater', ['probability', '__t'], ['over']),
      node('Cast', ['over'], ['label'], { to: T.INT64 }),
    ],
    inputs: [valueInfo(inputName, 'float', [null, 1])],
    outputs: [valueInfo('probability', 'float', [null, 1]), valueInfo('label', 'int64', [null, 1])],
    initializers: [tensor('__w', 'float', [1], [weight]), tensor('__b', 'float', [1], [bias]), tensor('__t', 'float', [1], [threshold])],
  });
}
