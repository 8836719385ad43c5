/**
 * The model worker: a Node process of its own that loads ONNX models with ONNX Runtime (CPU, one
 * thread) and runs them on the columns the engine sends over IPC. A native crash, a huge model or a
 * slow one ends this process, never the CLI or the language server (see `modelHost.ts`). Bundled
 * separately and inlined into the bundles that start it; ONNX Runtime itself is loaded from the
 * path the parent resolved (`FEATUREGUARD_ORT`), because its native binding sits beside its files.
 *
 * Requests: `load` (read, inspect and open a model; sessions are kept by key) and `run` (several
 * feed sets through one session, in order). Replies carry the request's id.
 */
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import type { ModelInfo, ModelOutputInfo, WorkerReply, WorkerRequest, WireTensor } from './modelProtocol';

type Ort = typeof import('onnxruntime-node');

const { onnx } = onnxProto;
let ort: Ort | undefined;
const sessions = new Map<string, import('onnxruntime-node').InferenceSession>();

/** Operators whose output is a classifier's probabilities (or, for ZipMap, a map of them). */
const PROBABILITY_OPS = new Set(['Sigmoid', 'Softmax', 'TreeEnsembleClassifier', 'LinearClassifier', 'SVMClassifier', 'ZipMap', 'TreeEnsemble']);

function runtime(): Ort {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!ort) {
    ort = require(process.env.FEATUREGUARD_ORT!) as Ort;
    // onnxruntime-web (the fallback without a native binding): one thread, like the native one.
    const wasm = (ort.env as { wasm?: { numThreads?: number } } | undefined)?.wasm;
    if (wasm) wasm.numThreads = 1;
  }
  return ort;
}

function text(bytes: Uint8Array | null | undefined): string {
  return bytes ? Buffer.from(bytes).toString('utf8') : '';
}

/**
 * Reads what ONNX Runtime's metadata does not tell: which operator makes each output, a
 * classifier's class labels, and ZipMap outputs (sequences of maps the runtime cannot return),
 * which are cut off so the probabilities tensor under them becomes the output.
 */
function inspect(bytes: Uint8Array): { bytes: Uint8Array; producers: Map<string, string>; classLabels?: (string | number)[]; zipmaps: Map<string, string> } {
  const proto = onnx.ModelProto.decode(bytes);
  const graph = proto.graph;
  if (!graph) throw new Error('the file holds no graph');
  const producers = new Map<string, string>();
  let classLabels: (string | number)[] | undefined;
  const zipmaps = new Map<string, string>();
  for (const node of graph.node ?? []) {
    for (const out of node.output ?? []) producers.set(out, node.opType ?? '');
    for (const a of node.attribute ?? []) {
      if (a.name === 'classlabels_int64s' && a.ints?.length) classLabels ??= a.ints.map((i) => Number(i));
      if (a.name === 'classlabels_strings' && a.strings?.length) classLabels ??= a.strings.map(text);
    }
  }
  const zipNodes = (graph.node ?? []).filter((n) => n.opType === 'ZipMap' && graph.output?.some((o) => o.name === n.output?.[0]));
  if (zipNodes.length === 0) return { bytes, producers, classLabels, zipmaps };
  for (const z of zipNodes) {
    const from = z.output![0];
    const to = z.input![0];
    zipmaps.set(from, to);
    const labels = z.attribute?.find((a) => a.name === 'classlabels_int64s' || a.name === 'classlabels_strings');
    const classes = labels?.ints?.length ?? labels?.strings?.length ?? 0;
    const at = graph.output!.findIndex((o) => o.name === from);
    graph.output![at] = onnx.ValueInfoProto.create({
      name: to,
      type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }, classes ? { dimValue: classes } : { dimParam: 'C' }] } } },
    });
  }
  graph.node = (graph.node ?? []).filter((n) => !zipNodes.includes(n));
  return { bytes: onnx.ModelProto.encode(proto).finish(), producers, classLabels, zipmaps };
}

async function load(key: string, path: string): Promise<ModelInfo> {
  const file = readFileSync(path);
  let inspected: ReturnType<typeof inspect>;
  try {
    inspected = inspect(file);
  } catch (err) {
    throw new Error(`not a valid ONNX model (${(err as Error).message})`);
  }
  const ort = runtime();
  const session = await ort.InferenceSession.create(inspected.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', logSeverityLevel: 3 });
  sessions.set(key, session);
  const metaOf = (name: string, list: readonly unknown[], names: readonly string[]) => list[names.indexOf(name)] as { isTensor: boolean; type?: string; shape?: (number | string)[] };
  const outputs: ModelOutputInfo[] = session.outputNames.map((name) => {
    const m = metaOf(name, session.outputMetadata, session.outputNames);
    const zipOf = [...inspected.zipmaps].find(([, to]) => to === name)?.[0];
    return {
      name,
      isTensor: m.isTensor,
      type: m.type,
      shape: m.shape,
      producer: inspected.producers.get(name) ?? '',
      probabilities: PROBABILITY_OPS.has(inspected.producers.get(name) ?? '') && m.type !== 'int64' && m.type !== 'string',
      ...(zipOf ? { zipmapOf: zipOf } : {}),
    };
  });
  return {
    inputs: session.inputNames.map((name) => {
      const m = metaOf(name, session.inputMetadata, session.inputNames);
      return { name, type: m.type ?? 'unknown', shape: m.shape ?? [] };
    }),
    outputs,
    ...(inspected.classLabels ? { classLabels: inspected.classLabels } : {}),
  };
}

async function run(key: string, feedSets: WireTensor[][], fetch: string[]): Promise<Record<string, WireTensor>[]> {
  const session = sessions.get(key);
  if (!session) throw new Error('the model is not loaded');
  const ort = runtime();
  const results: Record<string, WireTensor>[] = [];
  for (const feeds of feedSets) {
    const input: Record<string, import('onnxruntime-node').Tensor> = {};
    for (const t of feeds) input[t.name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
    const out = await session.run(input, fetch);
    const result: Record<string, WireTensor> = {};
    for (const name of fetch) {
      const t = out[name];
      result[name] = { name, type: t.type, dims: [...t.dims], data: t.data as WireTensor['data'] };
    }
    results.push(result);
  }
  return results;
}

process.on('message', (req: WorkerRequest) => {
  const reply = (r: WorkerReply) => process.send!(r);
  const work = req.op === 'load' ? load(req.key, req.path) : run(req.key, req.feedSets, req.fetch);
  work.then(
    (value) => reply({ id: req.id, ok: true, value }),
    (err) => reply({ id: req.id, ok: false, message: String((err as Error)?.message ?? err).split('\n')[0] }),
  );
});
process.on('disconnect', () => process.exit(0));
// ONNX Runtime loads as the worker starts (~50 ms of dlopen and setup): a worker started early
// (`ModelHost.warm`) has it ready by the time a model is needed.
runtime();
