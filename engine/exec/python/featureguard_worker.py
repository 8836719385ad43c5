"""FeatureGuard's Python worker: runs one version (base or target) of Python feature functions on
sampled snapshot rows, in the user's own interpreter, and answers with their values.

Started by the engine (engine/exec/python/runPython.ts) as `python -c <this file>`. Standard library
only: numpy and pandas are imported when a feature's form needs them. The protocol runs on the
process's original stdout; user code's prints go to stderr (fd 1 is redirected), never into it.

Frames, both ways: a little-endian u32 with the header's length, the header (UTF-8 JSON), then the
binary buffers whose lengths the header lists in "buffers". The engine sends one frame: the modules
(path, module name, source), the columns (typed binary: float64 / int64 with a validity byte per
row, strings as u32 offsets + UTF-8, booleans, timestamps as float64 milliseconds) and the jobs. The
worker answers one frame per job, in order, as each finishes. No pickle, no temporary files.
"""
import importlib.abc
import importlib.machinery
import importlib.util
import io
import json
import linecache
import math
import os
import struct
import sys
import time
import traceback
from collections.abc import Mapping

PROTOCOL = None  # the binary stream the engine reads, set up in main()


def read_exact(stream, n):
    out = bytearray(n)
    view = memoryview(out)
    got = 0
    while got < n:
        k = stream.readinto(view[got:])
        if not k:
            raise EOFError("the engine closed the pipe")
        got += k
    return out


def read_frame(stream):
    (length,) = struct.unpack("<I", read_exact(stream, 4))
    header = json.loads(read_exact(stream, length).decode("utf-8"))
    buffers = [read_exact(stream, n) for n in header.get("buffers", [])]
    return header, buffers


def write_frame(header, buffers=()):
    buffers = [bytes(b) for b in buffers]
    header["buffers"] = [len(b) for b in buffers]
    data = json.dumps(header, allow_nan=False, default=str).encode("utf-8")
    PROTOCOL.write(struct.pack("<I", len(data)))
    PROTOCOL.write(data)
    for b in buffers:
        PROTOCOL.write(b)
    PROTOCOL.flush()


# ---- the workspace's modules, served from memory --------------------------------------------


class SourceFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the side's modules from the sources the engine sent, before anything on sys.path:
    the base side's code comes from git objects, never from the working tree. A folder without
    `__init__.py` is a namespace package. Sources are registered with linecache and `get_source`,
    so tracebacks and `inspect.getsource` (Feast calls it) see the right version."""

    def __init__(self, modules):
        self.modules = modules  # name -> {"path", "source", "package"}
        self.prefixes = set()
        for name in modules:
            parts = name.split(".")
            for i in range(1, len(parts)):
                self.prefixes.add(".".join(parts[:i]))

    def find_spec(self, fullname, path=None, target=None):
        entry = self.modules.get(fullname)
        if entry is not None:
            spec = importlib.machinery.ModuleSpec(fullname, self, origin=entry["path"], is_package=entry["package"])
            spec.has_location = True
            return spec
        if fullname in self.prefixes:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        entry = self.modules.get(module.__name__)
        if entry is None:
            return  # a namespace package: nothing to run
        source = entry["source"]
        linecache.cache[entry["path"]] = (len(source), None, source.splitlines(True), entry["path"])
        code = compile(source, entry["path"], "exec", dont_inherit=True)
        exec(code, module.__dict__)

    def get_source(self, fullname):
        entry = self.modules.get(fullname)
        return entry["source"] if entry else None

    def get_filename(self, fullname):
        entry = self.modules.get(fullname)
        return entry["path"] if entry else None

    def is_package(self, fullname):
        entry = self.modules.get(fullname)
        return entry["package"] if entry else fullname in self.prefixes


# ---- columns in, values out --------------------------------------------------------------------


class Columns(Mapping):
    """The sampled columns by name, each (kind, values): a list with None for nulls, decoded from the
    engine's buffers when first asked for. A pandas form reads float and integer columns straight
    from the buffers (`array`) and never needs their lists."""

    def __init__(self, specs, buffers, row_count, decoded=None):
        self.specs = {spec["name"]: spec for spec in specs}
        self.buffers = buffers
        self.row_count = row_count
        self.decoded = {} if decoded is None else decoded
        self.subsets = {}

    def only(self, names):
        """The columns among `names`, in batch order, sharing what is decoded (one object per set):
        a job's rows carry the columns its code can read, as they would if it were checked alone."""
        wanted = set(names)
        key = tuple(name for name in self.specs if name in wanted)
        if len(key) == len(self.specs):
            return self
        hit = self.subsets.get(key)
        if hit is None:
            hit = self.subsets[key] = Columns([self.specs[name] for name in key], self.buffers, self.row_count, self.decoded)
        return hit

    def __getitem__(self, name):
        hit = self.decoded.get(name)
        if hit is None:
            spec = self.specs[name]
            hit = self.decoded[name] = decode_column(spec, [self.buffers[i] for i in spec["buffers"]], self.row_count)
        return hit

    def __iter__(self):
        return iter(self.specs)

    def __len__(self):
        return len(self.specs)

    def __contains__(self, name):
        return name in self.specs

    def array(self, name):
        """An f64 or i64 column as a numpy array, nulls as NaN (so float64 when an i64 column has one), as
        new_frame would build it from the list; None for the other kinds."""
        spec = self.specs[name]
        if spec["type"] not in ("f64", "i64"):
            return None
        import numpy as np

        valid, data = (self.buffers[i] for i in spec["buffers"][:2])
        out = np.frombuffer(data, dtype="<f8" if spec["type"] == "f64" else "<i8")
        if 0 not in valid:
            return out.copy()
        out = out.astype(np.float64)
        out[np.frombuffer(valid, dtype=np.uint8) == 0] = math.nan
        return out


def decode_column(spec, b, row_count):
    """One column as (kind, values): a list with None for nulls."""
    kind = spec["type"]
    valid = b[0] if b else None  # a json column has no buffers: its nulls are None already
    if kind in ("f64", "ts"):
        values = memoryview(b[1]).cast("d").tolist()
        if kind == "ts":
            import datetime

            epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
            values = [epoch + datetime.timedelta(milliseconds=v) for v in values]
    elif kind == "i64":
        values = memoryview(b[1]).cast("q").tolist()
    elif kind == "bool":
        values = [x == 1 for x in b[1]]
    elif kind == "str":
        values = decode_strings(b[1], b[2], row_count)
    elif kind == "cat":
        # Few distinct strings: each decoded once, one code per row (0 for nulls).
        offsets = memoryview(b[2]).cast("I")
        values = list(map(decode_strings(b[2], b[3], len(offsets) - 1).__getitem__, memoryview(b[1]).cast("I")))
    elif kind == "json":
        values = spec["values"]
    else:
        raise ValueError("unknown column type " + kind)
    if kind != "json":
        i = valid.find(0)
        while i >= 0:
            values[i] = None
            i = valid.find(0, i + 1)
    return (kind, values)


def decode_strings(offsets, data, count):
    """count strings from u32 offsets and their UTF-8 bytes end to end."""
    offsets = memoryview(offsets).cast("I").tolist()
    data = bytes(data)
    if data.isascii():
        # One decode; byte offsets are character offsets.
        text = data.decode("ascii")
        return [text[offsets[i] : offsets[i + 1]] for i in range(count)]
    return [data[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count)]


def is_missing(v):
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    t = type(v).__name__
    if t in ("NAType", "NaTType"):
        return True
    if t.startswith("float") and type(v).__module__ == "numpy":
        return math.isnan(float(v))
    return False


class NotAValue(Exception):
    pass


def scalar(v):
    """A feature value as the engine knows values: None, bool, int/float, str, or a datetime."""
    if is_missing(v):
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float, str)):
        return v
    module = type(v).__module__
    if module == "numpy":
        if hasattr(v, "item") and getattr(v, "shape", ()) == ():
            return scalar(v.item())
    import datetime

    if isinstance(v, datetime.datetime) or type(v).__name__ == "Timestamp":
        return v
    if isinstance(v, datetime.date):
        return datetime.datetime(v.year, v.month, v.day, tzinfo=datetime.timezone.utc)
    raise NotAValue("returned %s, which is no feature value" % type(v).__name__)


def encode_values(values, states):
    """Values (None where the row failed or is null) as the smallest typed column that holds them."""
    types = set(map(type, values))
    if types <= {float, type(None)}:
        # The common case, checked in C: floats, and None where there is no value.
        import array

        if type(None) in types:
            values = [0.0 if v is None else v for v in values]
        return {"type": "f64"}, [bytes(states), array.array("d", values).tobytes()]
    kinds = set()
    for v, s in zip(values, states):
        if s != 0:
            continue
        if isinstance(v, bool):
            kinds.add("bool")
        elif isinstance(v, (int, float)):
            kinds.add("f64")
        elif isinstance(v, str):
            kinds.add("str")
        else:
            kinds.add("ts")
    n = len(values)
    state_bytes = bytes(states)
    if kinds <= {"f64"}:
        import array

        data = array.array("d", [float(v) if s == 0 else 0.0 for v, s in zip(values, states)])
        return {"type": "f64"}, [state_bytes, data.tobytes()]
    if kinds == {"bool"}:
        return {"type": "bool"}, [state_bytes, bytes(1 if (s == 0 and v) else 0 for v, s in zip(values, states))]
    if kinds == {"str"}:
        import array

        offsets = array.array("I", [0])
        parts = []
        total = 0
        for v, s in zip(values, states):
            if s == 0:
                b = v.encode("utf-8")
                parts.append(b)
                total += len(b)
            offsets.append(total)
        return {"type": "str"}, [state_bytes, offsets.tobytes(), b"".join(parts)]
    if kinds == {"ts"}:
        import array

        data = array.array("d", [timestamp_ms(v) if s == 0 else 0.0 for v, s in zip(values, states)])
        return {"type": "ts"}, [state_bytes, data.tobytes()]
    # Mixed types: each value with its own type, as JSON.
    out = []
    for v, s in zip(values, states):
        if s != 0:
            out.append(None)
        elif isinstance(v, (bool, str)) or v is None:
            out.append(v)
        elif isinstance(v, (int, float)):
            out.append(v if math.isfinite(v) else str(v))
        else:
            out.append({"ts": timestamp_ms(v)})
    return {"type": "json", "values": out}, [state_bytes]


def timestamp_ms(v):
    """Milliseconds since the epoch, exact for whole milliseconds (no float seconds in between)."""
    import datetime

    if type(v).__name__ == "Timestamp":
        v = v.to_pydatetime()
    if v.tzinfo is None:
        v = v.replace(tzinfo=datetime.timezone.utc)
    delta = v - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return (delta.days * 86400000000 + delta.seconds * 1000000 + delta.microseconds) / 1000.0


# ---- calling features ---------------------------------------------------------------------------


class FeatureExit(Exception):
    """The feature's code stopped the run itself (sys.exit, a MemoryError): no further rows."""


def message_of(err):
    if isinstance(err, SystemExit):
        return "the feature's code called sys.exit(%s)" % ("" if err.code is None else repr(err.code))
    text = "%s: %s" % (type(err).__name__, err)
    text = " ".join(text.split())
    return text[:300] + ("…" if len(text) > 300 else "")


class Run:
    """One job: calls the feature in its form and collects values, errors and missing columns."""

    def __init__(self, job, columns, row_count):
        self.job = job
        self.columns = columns
        self.row_count = row_count
        self.values = [None] * row_count
        self.states = bytearray(row_count)  # 0 value, 1 null, 2 the row failed
        self.errors = []
        self.error_count = 0
        self.missing = set()

    def fail_row(self, index, err):
        self.states[index] = 2
        self.values[index] = None
        self.error_count += 1
        if isinstance(err, KeyError) and err.args and isinstance(err.args[0], str) and err.args[0] not in self.columns:
            self.missing.add(err.args[0])
        if len(self.errors) < 5:
            self.errors.append({"index": index, "message": message_of(err)})

    def set_floats(self, array):
        """All values at once from a float64 array (NaN is a null), as set_value would store them."""
        import numpy as np

        nan = np.isnan(array)
        self.states = bytearray(nan.astype(np.uint8).tobytes())
        values = array.tolist()
        for i in np.flatnonzero(nan).tolist():
            values[i] = None
        self.values = values

    def set_value(self, index, v):
        try:
            v = scalar(v)
        except NotAValue as err:
            return self.fail_row(index, err)
        if v is None:
            self.states[index] = 1
        else:
            self.values[index] = v


def rows_of(columns, row_count, names=None):
    names = list(columns) if names is None else names
    lists = [columns[n][1] for n in names]
    return [dict(zip(names, vals)) for vals in zip(*lists)] if lists else [{} for _ in range(row_count)]


FRAMES = {}


def frame_of(columns, row_count, reuse=False):
    """The columns as a DataFrame. With reuse, built once per columns (callers hand user code a copy)."""
    hit = FRAMES.get(id(columns)) if reuse else None
    if hit is not None and hit[0] is columns:
        return hit[1]
    frame = new_frame(columns, row_count)
    if reuse:
        FRAMES[id(columns)] = (columns, frame)  # the reference keeps the id from being reused
    return frame


def new_frame(columns, row_count):
    import pandas as pd

    data = {}
    for name in columns:
        array = columns.array(name) if isinstance(columns, Columns) else None
        if array is not None:
            data[name] = pd.Series(array, copy=False)
            continue
        kind, values = columns[name]
        if kind in ("f64",):
            data[name] = pd.Series([math.nan if v is None else v for v in values], dtype="float64")
        elif kind == "i64":
            if any(v is None for v in values):
                data[name] = pd.Series([math.nan if v is None else float(v) for v in values], dtype="float64")
            else:
                data[name] = pd.Series(values, dtype="int64")
        elif kind == "ts":
            data[name] = pd.to_datetime(pd.Series(values), utc=True)
        else:
            data[name] = pd.Series(values, dtype="object")
    return pd.DataFrame(data, index=range(row_count))


def guarded(fn):
    """Calls fn(); sys.exit and MemoryError end the feature, any other exception is returned."""
    try:
        return fn(), None
    except SystemExit as err:
        raise FeatureExit(message_of(err))
    except MemoryError:
        raise FeatureExit("the feature's code ran out of memory (the worker's limit)")
    except Exception as err:  # noqa: BLE001 - user code may raise anything
        return None, err


def float_array(result, n):
    """A 1-D numpy array or pandas Series of n numbers (a numpy float or integer dtype) as a float64
    array, or None: the values set_value would store, without a conversion per value."""
    if type(result).__name__ not in ("ndarray", "Series") or type(result).__module__.split(".")[0] not in ("numpy", "pandas"):
        return None
    import numpy as np

    dtype = getattr(result, "dtype", None)
    if not isinstance(dtype, np.dtype) or dtype.kind not in "fiu" or getattr(result, "ndim", 1) != 1 or len(result) != n:
        return None
    return np.asarray(result, dtype=np.float64)


def sequence_of(result, n, what):
    """A vectorized result as a list of n values, by position (a float64 array when float_array can)."""
    floats = float_array(result, n)
    if floats is not None:
        return floats
    if hasattr(result, "tolist") and hasattr(result, "__len__") and not isinstance(result, (str, bytes)):
        if type(result).__name__ == "DataFrame":
            raise TypeError("%s returned a DataFrame where one value per row was expected" % what)
        values = result.tolist() if not hasattr(result, "to_numpy") else list(result.to_numpy(dtype=object))
    elif isinstance(result, (list, tuple)):
        values = list(result)
    elif isinstance(result, dict):
        raise TypeError("%s returned a dict where one value per row was expected" % what)
    else:
        raise TypeError("%s returned %s, not one value per row" % (what, type(result).__name__))
    if len(values) != n:
        raise ValueError("%s returned %d values for %d rows" % (what, len(values), n))
    return values


def pick_output(result, output, what):
    if type(result).__name__ == "DataFrame":
        if output not in result.columns:
            raise KeyError("%s returned no column %r (columns: %s)" % (what, output, ", ".join(map(str, result.columns[:20]))))
        return result[output]
    if isinstance(result, dict):
        if output not in result:
            raise KeyError("%s returned no field %r (fields: %s)" % (what, output, ", ".join(map(str, list(result)[:20]))))
        return result[output]
    raise TypeError("%s returned %s, not a DataFrame or a dict of columns" % (what, type(result).__name__))


def feast_parts(obj):
    """The undecorated function of a Feast on-demand feature view, its mode and whether it is a singleton."""
    fn = getattr(obj, "udf", None) or getattr(obj, "__wrapped__", None) or obj
    fn = getattr(fn, "__wrapped__", fn)
    mode = getattr(obj, "mode", None) or "pandas"
    singleton = bool(getattr(obj, "singleton", False))
    return fn, str(mode).lower(), singleton


def hamilton_call(module, fn, columns, row_count, memo, stack=()):
    import inspect

    import pandas as pd

    kwargs = {}
    for name, param in inspect.signature(fn).parameters.items():
        if name in columns:
            kind, values = columns[name]
            kwargs[name] = frame_of({name: columns[name]}, row_count)[name]
        elif callable(getattr(module, name, None)) and name not in stack:
            if name not in memo:
                memo[name] = hamilton_call(module, getattr(module, name), columns, row_count, memo, stack + (name,))
            kwargs[name] = memo[name]
        elif param.default is not inspect.Parameter.empty:
            continue
        else:
            raise KeyError(name)
    return fn(**kwargs)


# Several features of one `frame` or Feast function (one per output column or schema field) share
# one call per process: the function's result, by (module, function), for the sample's columns.
SHARED_CALLS = {}


def shared_call(job, columns, call):
    key = (job["module"], job["function"], id(columns))
    if key not in SHARED_CALLS:
        SHARED_CALLS[key] = guarded(call)
    return SHARED_CALLS[key]


def evaluate(run, fn, module, job, columns, row_count, share=True):
    """Fills run.values by calling the feature in its form over all rows."""
    kind = job["kind"]
    what = job["name"]
    once = (lambda call: shared_call(job, columns, call)) if share else guarded
    if kind == "row":
        rows = rows_of(columns, row_count)
        values, states = run.values, run.states
        # guarded() inlined: this loop runs once per row.
        for i, row in enumerate(rows):
            try:
                v = fn(row)
            except SystemExit as err:
                raise FeatureExit(message_of(err))
            except MemoryError:
                raise FeatureExit("the feature's code ran out of memory (the worker's limit)")
            except Exception as err:  # noqa: BLE001 - user code may raise anything
                run.fail_row(i, err)
                continue
            if type(v) is float:
                if v != v:
                    states[i] = 1  # NaN is a null, as scalar() says
                else:
                    values[i] = v
            else:
                run.set_value(i, v)
        return
    if kind == "batch":
        rows = rows_of(columns, row_count)
        result, err = guarded(lambda: fn(rows))
        if err is None:
            result, err = guarded(lambda: sequence_of(result, row_count, what))
    elif kind == "series":
        frame = frame_of(columns, row_count, reuse=True)
        result, err = guarded(lambda: sequence_of(fn(frame.copy()), row_count, what))
    elif kind == "frame":
        frame = frame_of(columns, row_count, reuse=True)
        result, err = once(lambda: fn(frame.copy()))
        if err is None:
            result, err = guarded(lambda: sequence_of(pick_output(result, job["output"], what), row_count, what))
    elif kind == "hamilton":
        result, err = guarded(lambda: sequence_of(hamilton_call(module, fn, columns, row_count, {}), row_count, what))
    elif kind == "feast":
        udf, mode, singleton = feast_parts(fn)
        if singleton:
            rows = rows_of(columns, row_count)
            for i, row in enumerate(rows):
                v, err = guarded(lambda: pick_output(udf(dict(row)), job["output"], what))
                if err is not None:
                    run.fail_row(i, err)
                else:
                    run.set_value(i, v)
            return
        if mode == "python":
            data = {name: list(values) for name, (kind_, values) in columns.items()}
            result, err = once(lambda: udf(data))
        else:
            frame = frame_of(columns, row_count, reuse=True)
            result, err = once(lambda: udf(frame.copy()))
        if err is None:
            result, err = guarded(lambda: sequence_of(pick_output(result, job["output"], what), row_count, what))
    else:
        raise FeatureExit("unknown feature kind %r" % kind)
    if err is not None:
        # A vectorized call fails as a whole: every row failed with the same error.
        for i in range(row_count):
            run.fail_row(i, err)
        return
    if not isinstance(result, list):
        return run.set_floats(result)  # float_array's
    for i, v in enumerate(result):
        run.set_value(i, v)


def evaluate_examples(fn, module, job, examples):
    """Declared examples: each input row alone, in the feature's form."""
    out = []
    for example in examples:
        columns = {k: ("json", [v]) for k, v in example.items()}
        run = Run(job, columns, 1)
        try:
            evaluate(run, fn, module, job, columns, 1, share=False)
        except FeatureExit:
            run.states[0] = 2
        out.append(None if run.states[0] != 0 else json_value(run.values[0]))
    return out


def json_value(v):
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    return {"ts": timestamp_ms(v)}


def run_job(job, columns, row_count):
    if job.get("columns") is not None and isinstance(columns, Columns):
        columns = columns.only(job["columns"])
    started = time.perf_counter()
    module = importlib.import_module(job["module"])
    fn = getattr(module, job["function"])
    run = Run(job, columns, row_count)
    feature_exit = None
    try:
        evaluate(run, fn, module, job, columns, row_count)
    except FeatureExit as err:
        feature_exit = str(err)
    run_ms = (time.perf_counter() - started) * 1000.0
    if feature_exit is not None:
        return {"ok": False, "reason": "memory" if "memory" in feature_exit else "load", "message": feature_exit}, []
    # The same rows again: values that change between two runs of the same code are not reliable.
    nondeterministic = 0
    repeat = min(job.get("repeatRows", 0), row_count)
    if repeat > 0:
        again = Run(job, columns, row_count)
        try:
            if job["kind"] == "row":
                head = {name: (kind, values[:repeat]) for name, (kind, values) in columns.items()}
                again = Run(job, head, repeat)
                evaluate(again, fn, module, job, head, repeat)
            else:
                evaluate(again, fn, module, job, columns, row_count, share=False)
            for i in range(repeat):
                if again.states[i] != run.states[i] or not same(again.values[i], run.values[i]):
                    nondeterministic += 1
        except FeatureExit:
            pass
    extra = evaluate_examples(fn, module, job, job.get("examples", []))
    header, buffers = encode_values(run.values, run.states)
    return {
        "ok": True,
        "values": header,
        "extraValues": extra,
        "errorCount": run.error_count,
        "errors": run.errors,
        "nondeterministic": nondeterministic,
        "runMs": run_ms,
        "missingColumns": sorted(run.missing),
    }, buffers


def same(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def widen_pipe(fd):
    """Asks Linux for a 1 MiB pipe on fd (the default is 64 KiB): megabytes of columns then cross in
    a few large reads instead of a wake-up of each process per 64 KiB. Harmless where it cannot."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except Exception:  # noqa: BLE001 - not Linux, not a pipe, or above the system's limit
        pass


def limit_memory(mb):
    try:
        import resource

        limit = int(mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except Exception:  # noqa: BLE001 - not every platform has it; the engine's timer still holds
        pass


def main():
    global PROTOCOL
    # The protocol keeps the original stdout; fd 1 becomes stderr, so a print — from Python or
    # from a C extension — can never corrupt a frame.
    PROTOCOL = os.fdopen(os.dup(1), "wb", buffering=1 << 16)
    widen_pipe(PROTOCOL.fileno())
    os.dup2(2, 1)
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", buffering=0), write_through=True)
    sys.dont_write_bytecode = True
    # The working tree is not on the import path: the side's modules come from the engine.
    sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd())]
    widen_pipe(0)
    stdin = os.fdopen(0, "rb", buffering=1 << 16)
    header, buffers = read_frame(stdin)
    limit_memory(header.get("memoryMb", 2048))
    sys.meta_path.insert(0, SourceFinder(header["modules"]))
    row_count = header["rowCount"]
    columns = Columns(header["columns"], buffers, row_count)
    for index, job in enumerate(header["jobs"]):
        if index < header.get("start", 0):
            continue
        write_frame({"type": "started", "index": index})
        try:
            result, out = run_job(job, columns, row_count)
        except SystemExit as err:
            result, out = {"ok": False, "reason": "load", "message": "the feature module failed to load: " + message_of(err)}, []
        except BaseException as err:  # noqa: BLE001 - the module itself failed to import
            tb = traceback.extract_tb(err.__traceback__)
            where = ""
            for frame in reversed(tb):
                if frame.filename in {m["path"] for m in header["modules"].values()}:
                    where = " (%s:%d)" % (frame.filename, frame.lineno)
                    break
            result, out = {"ok": False, "reason": "load", "message": "the feature module failed to load: " + message_of(err) + where}, []
        write_frame({"type": "result", "index": index, "result": result}, out)


if __name__ == "__main__":
    main()
